import Foundation
import FuzzDriver
import KilnCore
import Nifti

/// The NIfTI-1 reader (gzip included) on any file: it either refuses the file with a
/// `KilnError` or returns a volume whose voxel count matches its dimensions.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNifti(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let file = Array(UnsafeBufferPointer(start: data, count: size))
    let volume: NiftiVolume
    do {
        volume = try NiftiVolume.read(file, maxVoxels: 1 << 20)
    } catch is KilnError {
        return 0
    } catch {
        fatalError("the reader threw something other than a KilnError: \(error)")
    }
    guard volume.dimensions.count == 3, volume.values.count == volume.voxelCount, volume.voxelCount <= 1 << 20 else {
        fatalError("\(volume.values.count) voxels for dimensions \(volume.dimensions)")
    }
    _ = volume.orientation
    return 0
}

var argumentCount = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments, fuzzNifti))
