using System.ComponentModel;
using System.Diagnostics;

namespace AmiVault.Transfers;

/// <summary>
/// qemu-img, for images that are not raw (qcow2, VMDK, VHDX, VHD). They are converted to a sparse raw temporary file
/// rather than streamed: qemu-img writes raw output with seeks, which a pipe cannot take, and a sparse file costs
/// disk only for the data while letting the import skip its holes.
/// </summary>
internal sealed class QemuImg(string executable)
{
    public string Executable => executable;

    /// <summary>qemu-img on <paramref name="path"/> (a PATH-like list of folders), or null when it is not installed.</summary>
    public static QemuImg? Find(string? path)
    {
        foreach (var folder in (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, OperatingSystem.IsWindows() ? "qemu-img.exe" : "qemu-img");
            if (File.Exists(candidate))
            {
                return new QemuImg(candidate);
            }
        }

        return null;
    }

    /// <summary>Converts <paramref name="source"/> to a new sparse raw file <paramref name="target"/>; killed if cancelled.</summary>
    public async Task ConvertToRawAsync(string source, string format, string target, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(executable, ["convert", "-q", "-f", format, "-O", "raw", source, target])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{executable} could not be run: {e.Message}", e);
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                throw;
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidDataException($"qemu-img could not read {source} as {format}: {(await errors).Trim()}");
            }
        }
    }
}
