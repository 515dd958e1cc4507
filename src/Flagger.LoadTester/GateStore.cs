using System.Text.Json;

namespace Flagger.LoadTester;

/// <summary>
/// Gate and rollback switches keyed <c>&lt;name&gt;.&lt;namespace&gt;</c> / <c>rollback.&lt;name&gt;.&lt;namespace&gt;</c>,
/// closed by default. Unlike upstream's in-memory map, every change is written to <c>gates.json</c> in the state folder
/// (atomically: temp file + rename) and read back at start, so an open gate survives a restart of the loadtester.
/// </summary>
// upstream: pkg/loadtester/gate.go
internal sealed partial class GateStore
{
    public const string FileName = "gates.json";
    private readonly Lock _lock = new();
    private readonly Dictionary<string, bool> _gates = new(StringComparer.Ordinal);
    private readonly string? _path;
    private readonly ILogger<GateStore> _logger;

    public GateStore(LoadTesterOptions options, ILogger<GateStore> logger)
    {
        _logger = logger;
        if (string.IsNullOrEmpty(options.StateDir))
        {
            return;
        }

        _path = Path.Combine(options.StateDir, FileName);
        Load();
    }

    /// <summary>The state file, or null when state is kept in memory only.</summary>
    public string? FilePath => _path;

    public bool IsOpen(string key)
    {
        lock (_lock)
        {
            return _gates.TryGetValue(key, out var open) && open;
        }
    }

    public void Open(string key) => Set(key, true);

    public void Close(string key) => Set(key, false);

    private void Set(string key, bool open)
    {
        lock (_lock)
        {
            _gates[key] = open;
            Save();
        }
    }

    private void Load()
    {
        if (!File.Exists(_path))
        {
            return;
        }

        try
        {
            var saved = JsonSerializer.Deserialize<Dictionary<string, bool>>(File.ReadAllText(_path!));
            foreach (var (key, open) in saved ?? [])
            {
                _gates[key] = open;
            }

            Log.Loaded(_logger, _gates.Count(g => g.Value), _path!);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            // A damaged file must not keep the loadtester down: gates start closed (the safe side), the file is kept.
            Log.LoadFailed(_logger, _path!, ex.Message);
        }
    }

    private void Save()
    {
        if (_path is null)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var temp = _path + ".tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(_gates));
            File.Move(temp, _path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SaveFailed(_logger, _path, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "gate state restored from {Path}: {Open} open")]
        public static partial void Loaded(ILogger logger, int open, string path);

        [LoggerMessage(Level = LogLevel.Error, Message = "gate state file {Path} could not be read, starting with all gates closed: {Error}")]
        public static partial void LoadFailed(ILogger logger, string path, string error);

        [LoggerMessage(Level = LogLevel.Error, Message = "gate state file {Path} could not be written, the change is kept in memory only: {Error}")]
        public static partial void SaveFailed(ILogger logger, string path, string error);
    }
}
