import FerrySystem

/// What a setup call has created so far, undone in reverse order if a later step fails.
///
/// Setup that fails halfway leaves the host as it was: every step that creates something
/// records how to remove it before the next step runs.
final class UndoLog {
    private var steps: [(description: String, action: () throws -> Void)] = []

    func record(_ description: String, _ action: @escaping () throws -> Void) {
        steps.append((description, action))
    }

    /// Forgets every step: the setup succeeded and owns what it made.
    func commit() { steps.removeAll() }

    /// Runs every recorded step, newest first, logging the ones that fail.
    func rollback() {
        for step in steps.reversed() {
            do {
                try step.action()
            } catch {
                Log.warning("bridge", "undoing \(step.description): \(error)")
            }
        }
        steps.removeAll()
    }
}
