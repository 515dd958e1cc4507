using System.Diagnostics;
using System.Text;

namespace Flagger.LoadTester;

/// <summary>The outcome of one process: combined stdout+stderr and, on failure, Go-style error text.</summary>
internal sealed record CommandResult(bool Ok, string Output, string? Error);

/// <summary>
/// Runs one process with a timeout measured on <see cref="TimeProvider"/>; on timeout the whole process tree is killed.
/// Errors read like Go's <c>exec</c> errors (<c>exit status 1</c>, <c>signal: killed</c>, <c>executable file not found
/// in $PATH</c>) so event texts stay familiar.
/// </summary>
// upstream: pkg/loadtester/task_shell.go, bash.go, kubectl.go, helmv3.go (exec.CommandContext + CombinedOutput)
internal sealed class ShellCommand(TimeProvider time)
{
    private static readonly TimeSpan ReadGrace = TimeSpan.FromSeconds(2);

    public async Task<CommandResult> RunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var executable = ResolveExecutable(fileName);
        if (executable is null)
        {
            return new CommandResult(false, "", $"exec: \"{fileName}\": executable file not found in $PATH");
        }

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new CommandResult(false, "", $"fork/exec {executable}: {ex.Message}");
        }

        process.StandardInput.Close();
        var output = new StringBuilder();
        var stdout = PumpAsync(process.StandardOutput, output);
        var stderr = PumpAsync(process.StandardError, output);

        using var timeoutCts = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        var killed = false;
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);

            // A background child may keep the output pipes open after the shell exits; the timeout covers that too.
            await Task.WhenAll(stdout, stderr).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            killed = true;
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);

            // A descendant forked while the tree was being killed can still hold the pipes: read briefly, then stop.
            await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(ReadGrace, CancellationToken.None)).ConfigureAwait(false);
        }

        string text;
        lock (output)
        {
            text = output.ToString();
        }

        if (killed)
        {
            var why = timeoutCts.IsCancellationRequested ? $" (timeout {timeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}s exceeded)" : " (loadtester shutting down)";
            return new CommandResult(false, text, "signal: killed" + why);
        }

        return process.ExitCode == 0
            ? new CommandResult(true, text, null)
            : new CommandResult(false, text, $"exit status {process.ExitCode}");
    }

    /// <summary>The full path of <paramref name="fileName"/> on PATH (or as given when it contains a slash), or null.</summary>
    public static string? ResolveExecutable(string fileName)
    {
        if (fileName.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(fileName) ? fileName : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // The process exited between the timeout and the kill: nothing left to stop.
            return;
        }
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder output)
    {
        var buffer = new char[4096];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
            {
                lock (output)
                {
                    output.Append(buffer, 0, read);
                }
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or IOException)
        {
            // The process object was disposed after a kill while an escaped descendant still held the pipe.
            return;
        }
    }
}
