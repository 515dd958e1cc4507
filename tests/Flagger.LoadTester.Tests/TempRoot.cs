[assembly: AssemblyFixture(typeof(Flagger.LoadTester.Tests.TempRoot))]

namespace Flagger.LoadTester.Tests;

/// <summary>One temp folder for every state dir and marker file of this test run, removed when the run ends.</summary>
public sealed class TempRoot : IDisposable
{
    public static string Path { get; } = Directory.CreateTempSubdirectory("loadtester-tests-").FullName;

    public static string NewDir() => Directory.CreateDirectory(System.IO.Path.Combine(Path, Guid.NewGuid().ToString("n"))).FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
