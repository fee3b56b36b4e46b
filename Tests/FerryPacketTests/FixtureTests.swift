import Testing

@testable import FerryPacket
