using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Api;

/// <summary>
/// <c>limit</c>/<c>continue</c> paging as etcd serves it: every page of one list comes from the snapshot taken for
/// the first page (same resourceVersion, same objects). Snapshots live 5 minutes (the API server's compaction
/// interval) and at most 256 are kept; a continue token whose snapshot is gone is 410 Expired, whose Status carries
/// a token that continues over the current objects, as the real server's does.
/// </summary>
internal sealed class ListSnapshots(TimeProvider time)
{
    private const int Capacity = 256;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, Snapshot> snapshots = [];
    private readonly Queue<string> order = new();
    private readonly Lock gate = new();

    private sealed record Snapshot(string Query, List<StoredObject> Items, DateTimeOffset Taken);

    /// <summary>One page of <paramref name="list"/> (taken at <paramref name="resourceVersion"/>), or of the snapshot a continue token names.</summary>
    public (List<StoredObject> Items, string Metadata) Page(string query, string limitText, string token, List<StoredObject> list, ref long resourceVersion)
    {
        var start = 0;
        if (token.Length > 0)
        {
            var (tokenRv, id, lastKey) = Decode(token);
            resourceVersion = tokenRv;
            list = id == "-" ? list : Find(id, query, token, tokenRv, lastKey);
            start = list.FindIndex(o => string.CompareOrdinal(KeyOf(o), lastKey) > 0);
            start = start < 0 ? list.Count : start;
        }

        if (limitText.Length == 0 || !int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit <= 0)
        {
            return (start == 0 ? list : list[start..], "");
        }

        var end = Math.Min(list.Count, start + limit);
        var items = list[start..end];
        if (end >= list.Count)
        {
            return (items, "");
        }

        var snapshotId = token.Length > 0 ? Decode(token).Id : Save(query, list);
        var next = Encode(resourceVersion, snapshotId, KeyOf(items[^1]));
        return (items, $",\"continue\":\"{next}\",\"remainingItemCount\":{list.Count - end}");
    }

    private string Save(string query, List<StoredObject> list)
    {
        var id = Guid.NewGuid().ToString("N");
        lock (gate)
        {
            snapshots[id] = new Snapshot(query, list, time.GetUtcNow());
            order.Enqueue(id);
            while (order.Count > Capacity)
            {
                snapshots.Remove(order.Dequeue());
            }
        }

        return id;
    }

    private List<StoredObject> Find(string id, string query, string token, long resourceVersion, string lastKey)
    {
        Snapshot? snapshot;
        lock (gate)
        {
            snapshots.TryGetValue(id, out snapshot);
        }

        if (snapshot is not null && snapshot.Query != query)
        {
            throw Invalid();
        }

        if (snapshot is null || time.GetUtcNow() - snapshot.Taken > Lifetime)
        {
            throw new ApiException(410, "Expired",
                "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, " +
                "or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an " +
                "inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
            {
                StatusMetadata = new JsonObject { ["continue"] = Encode(resourceVersion, "-", lastKey) },
            };
        }

        return snapshot.Items;
    }

    private static string Encode(long resourceVersion, string id, string lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{resourceVersion}|{id}|{lastKey}"));

    private static (long ResourceVersion, string Id, string LastKey) Decode(string token)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw Invalid();
        }

        var parts = decoded.Split('|', 3);
        if (parts.Length != 3 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var rv))
        {
            throw Invalid();
        }

        return (rv, parts[1], parts[2]);
    }

    private static ApiException Invalid() => ApiException.BadRequest("continue: Invalid value: the continue token is not valid");

    private static string KeyOf(StoredObject o) => o.Namespace is null ? o.Name : o.Namespace + "/" + o.Name;
}
