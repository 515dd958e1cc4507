using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Flagger.Simulator.Store;

/// <summary>A registered watch: its filters and the channel the store writes matching changes to.</summary>
internal sealed class Watcher(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields)
{
    public ResourceType Type { get; } = type;
    public Channel<WatchEvent> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<WatchEvent>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    public bool Matches(StoredObject obj) =>
        (ns is null || obj.Namespace == ns) && labels.Matches(obj.Labels) && fields.Matches(obj);

    /// <summary>Turns a change into what this watcher sees (selector transitions become ADDED/DELETED), or null.</summary>
    public WatchEvent? Translate(ChangeRecord change)
    {
        var oldMatch = change.Old is not null && Matches(change.Old);
        var newMatch = change.New is not null && Matches(change.New);
        return (oldMatch, newMatch) switch
        {
            (true, true) => new WatchEvent("MODIFIED", change.Sent),
            (false, true) => new WatchEvent("ADDED", change.Sent),
            (true, false) => new WatchEvent("DELETED", change.Sent),
            _ => null,
        };
    }
}

internal readonly record struct ObjectRef(string TypeKey, string? Namespace, string Name);

/// <summary>Per-request options of a write: <c>dryRun=All</c> and <c>fieldValidation=Strict</c>.</summary>
internal sealed record RequestOptions(bool DryRun, bool StrictFields)
{
    public static readonly RequestOptions Default = new(false, false);
}

/// <summary>
/// The whole cluster state behind one lock: typed tables of immutable object versions, one global resourceVersion
/// counter, a bounded change window per type for watch resume, and ownerReference / finalizer bookkeeping.
/// </summary>
internal sealed class ClusterStore
{
    private sealed class Table(ResourceType type)
    {
        public ResourceType Type { get; set; } = type;
        public Dictionary<string, StoredObject> Objects { get; } = new(StringComparer.Ordinal);
        public Queue<ChangeRecord> History { get; } = new();
        public long CompactedRv { get; set; }
        public List<Watcher> Watchers { get; } = [];
    }

    private readonly Lock gate = new();
    private readonly Dictionary<string, Table> tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ObjectRef> byUid = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<ObjectRef>> dependents = new(StringComparer.Ordinal);
    private readonly TimeProvider time;
    private readonly int historyLimit;
    private long resourceVersion;

    public ClusterStore(TimeProvider time, int historyLimit)
    {
        this.time = time;
        this.historyLimit = historyLimit;
        foreach (var t in BuiltinTypes.All)
        {
            tables[t.Key] = new Table(t);
        }

        Admission = new Admission(this);
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            Create(BuiltinTypes.Namespaces, null, new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns },
            });
        }
    }

    public Admission Admission { get; }

    private RequestOptions current = RequestOptions.Default;

    /// <summary>The options of the write running now (only meaningful under the lock).</summary>
    internal RequestOptions CurrentOptions => current;

    /// <summary>Runs a write with request options; a dry run validates and answers but changes nothing.</summary>
    public T WithOptions<T>(RequestOptions options, Func<T> write)
    {
        lock (gate)
        {
            var previous = current;
            current = options;
            try
            {
                return write();
            }
            finally
            {
                current = previous;
            }
        }
    }

    public long CurrentResourceVersion
    {
        get
        {
            lock (gate)
            {
                return resourceVersion;
            }
        }
    }

    public TimeProvider Time => time;

    // ---- type registry ----

    public IReadOnlyList<ResourceType> Types()
    {
        lock (gate)
        {
            return tables.Values.Select(t => t.Type).ToList();
        }
    }

    public ResourceType? FindType(string group, string version, string plural)
    {
        lock (gate)
        {
            return tables.TryGetValue(group + "/" + plural, out var t) && t.Type.Versions.Contains(version) ? t.Type : null;
        }
    }

    /// <summary>Adds or replaces a custom kind (called when a CRD is written).</summary>
    internal void RegisterType(ResourceType type)
    {
        if (tables.TryGetValue(type.Key, out var existing))
        {
            existing.Type = type;
        }
        else
        {
            tables[type.Key] = new Table(type);
        }
    }

    /// <summary>Removes a custom kind and all its objects (called when its CRD is finally removed).</summary>
    internal void UnregisterTypeLocked(string key)
    {
        if (!tables.TryGetValue(key, out var table))
        {
            return;
        }

        foreach (var obj in table.Objects.Values.ToList())
        {
            RemoveNow(table, obj);
        }

        foreach (var w in table.Watchers)
        {
            w.Channel.Writer.TryComplete();
        }

        tables.Remove(key);
    }

    private Table TableOf(ResourceType type) =>
        tables.TryGetValue(type.Key, out var t) ? t : throw ApiException.ResourceNotFound();

    private static string KeyOf(string? ns, string name) => ns is null ? name : ns + "/" + name;

    // ---- reads ----

    public StoredObject Get(ResourceType type, string? ns, string name)
    {
        lock (gate)
        {
            var table = TableOf(type);
            return table.Objects.TryGetValue(KeyOf(ns, name), out var obj) ? obj : throw ApiException.NotFound(type, name);
        }
    }

    public StoredObject? TryGet(ResourceType type, string? ns, string name)
    {
        lock (gate)
        {
            return tables.TryGetValue(type.Key, out var table) && table.Objects.TryGetValue(KeyOf(ns, name), out var obj) ? obj : null;
        }
    }

    public (long ResourceVersion, List<StoredObject> Items) List(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields)
    {
        lock (gate)
        {
            var table = TableOf(type);
            var items = new List<StoredObject>();
            foreach (var obj in table.Objects.Values)
            {
                if ((ns is null || obj.Namespace == ns) && labels.Matches(obj.Labels) && (fields.IsEmpty || fields.Matches(obj)))
                {
                    items.Add(obj);
                }
            }

            items.Sort(static (a, b) => string.CompareOrdinal(KeyOf(a.Namespace, a.Name), KeyOf(b.Namespace, b.Name)));
            return (resourceVersion, items);
        }
    }

    /// <summary>All objects of a kind (optionally one namespace), unsorted; for internal scans under <see cref="Read{T}"/>.</summary>
    internal IEnumerable<StoredObject> Scan(ResourceType type, string? ns)
    {
        lock (gate)
        {
            return tables.TryGetValue(type.Key, out var table)
                ? table.Objects.Values.Where(o => ns is null || o.Namespace == ns).ToList()
                : [];
        }
    }

    /// <summary>Runs <paramref name="read"/> under the store lock (for readers that need <see cref="StoredObject.Node"/>).</summary>
    public T Read<T>(Func<T> read)
    {
        lock (gate)
        {
            return read();
        }
    }

    // ---- watch ----

    /// <summary>
    /// Registers a watch. Without a resourceVersion ("" or "0") the current objects come first as ADDED;
    /// with one, the retained changes after it are replayed, or 410 Expired when it is older than the window.
    /// </summary>
    public Watcher Watch(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, string? fromVersion)
    {
        lock (gate)
        {
            var table = TableOf(type);
            var watcher = new Watcher(type, ns, labels, fields);
            if (string.IsNullOrEmpty(fromVersion) || fromVersion == "0")
            {
                foreach (var obj in table.Objects.Values)
                {
                    if (watcher.Matches(obj))
                    {
                        watcher.Channel.Writer.TryWrite(new WatchEvent("ADDED", obj));
                    }
                }
            }
            else
            {
                if (!long.TryParse(fromVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                {
                    throw ApiException.BadRequest($"resourceVersion: Invalid value: \"{fromVersion}\": must be a non-negative integer");
                }

                if (from < table.CompactedRv)
                {
                    throw new ApiException(410, "Expired", $"too old resource version: {from} ({table.CompactedRv})");
                }

                foreach (var change in table.History)
                {
                    if (change.ResourceVersion > from && watcher.Translate(change) is { } evt)
                    {
                        watcher.Channel.Writer.TryWrite(evt);
                    }
                }
            }

            table.Watchers.Add(watcher);
            return watcher;
        }
    }

    public void StopWatch(Watcher watcher)
    {
        lock (gate)
        {
            if (tables.TryGetValue(watcher.Type.Key, out var table))
            {
                table.Watchers.Remove(watcher);
            }

            watcher.Channel.Writer.TryComplete();
        }
    }

    /// <summary>Closes every open watch (fault injection: "drop watches").</summary>
    public int CloseWatches(Func<Watcher, bool> match)
    {
        lock (gate)
        {
            var n = 0;
            foreach (var table in tables.Values)
            {
                foreach (var w in table.Watchers.Where(match).ToList())
                {
                    table.Watchers.Remove(w);
                    w.Channel.Writer.TryComplete();
                    n++;
                }
            }

            return n;
        }
    }

    // ---- writes ----

    public StoredObject Create(ResourceType type, string? ns, JsonObject body, string? manager = null)
    {
        lock (gate)
        {
            var table = TableOf(type);
            var meta = Admission.PrepareCreate(type, ns, body);
            var name = (string)meta["name"]!;
            if ((string?)meta["resourceVersion"] is { Length: > 0 })
            {
                throw ApiException.BadRequest("metadata.resourceVersion: Invalid value: resourceVersion should not be set on objects to be created");
            }

            if (table.Objects.ContainsKey(KeyOf(ns, name)))
            {
                throw ApiException.AlreadyExists(type, name);
            }

            if (ns is not null)
            {
                var nsObj = tables[BuiltinTypes.Namespaces.Key].Objects.GetValueOrDefault(ns)
                    ?? throw ApiException.NotFound(BuiltinTypes.Namespaces, ns);
                if (nsObj.IsDeleting)
                {
                    throw new ApiException(403, "Forbidden",
                        $"{type.GroupResource} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated");
                }
            }

            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = Now();
            meta.Remove("deletionTimestamp");
            meta.Remove("deletionGracePeriodSeconds");
            meta.Remove("managedFields");
            if (type.TracksGeneration)
            {
                meta["generation"] = 1;
            }
            else
            {
                meta.Remove("generation");
            }

            if (type.HasStatus && type != BuiltinTypes.Namespaces)
            {
                body.Remove("status");
            }

            Admission.Admit(type, body, null);
            var stored = Commit(table, null, body, "ADDED", manager is null ? null : new Dictionary<string, HashSet<string>>());
            Admission.AfterCommit(type, stored);
            return stored;
        }
    }

    /// <summary>
    /// Replaces an object (PUT) or, with <paramref name="status"/>, only its status. A resourceVersion in the body
    /// must match the stored one. Patches go through here too with the patched object as body.
    /// </summary>
    public StoredObject Update(ResourceType type, string? ns, string name, JsonObject body, bool status,
        Func<StoredObject, Dictionary<string, HashSet<string>>?>? managers = null)
    {
        lock (gate)
        {
            var table = TableOf(type);
            var existing = table.Objects.GetValueOrDefault(KeyOf(ns, name)) ?? throw ApiException.NotFound(type, name);
            return UpdateLocked(table, existing, body, status, managers?.Invoke(existing) ?? existing.Managers);
        }
    }

    /// <summary>Reads the current object, lets <paramref name="patch"/> produce the new body, and updates atomically.</summary>
    public StoredObject Patch(ResourceType type, string? ns, string name, bool status,
        Func<StoredObject?, (JsonObject Body, Dictionary<string, HashSet<string>>? Managers)> patch, bool createIfMissing = false)
    {
        lock (gate)
        {
            var table = TableOf(type);
            var existing = table.Objects.GetValueOrDefault(KeyOf(ns, name));
            if (existing is null)
            {
                if (!createIfMissing || status)
                {
                    throw ApiException.NotFound(type, name);
                }

                var (created, createdManagers) = patch(null);
                var meta = created["metadata"] as JsonObject;
                if (meta is null || (string?)meta["name"] != name)
                {
                    throw ApiException.BadRequest($"metadata.name: the name of the object ({(string?)meta?["name"]}) does not match the name on the URL ({name})");
                }

                var stored = Create(type, ns, created);
                var withManagers = new StoredObject(stored.Node, createdManagers);
                if (!current.DryRun)
                {
                    table.Objects[KeyOf(ns, name)] = withManagers;
                }

                return withManagers;
            }

            var (body, managers) = patch(existing);
            return UpdateLocked(table, existing, body, status, managers ?? existing.Managers);
        }
    }

    private StoredObject UpdateLocked(Table table, StoredObject existing, JsonObject body, bool status,
        Dictionary<string, HashSet<string>>? managers)
    {
        var type = table.Type;
        var name = existing.Name;
        if (body["metadata"] is not JsonObject meta)
        {
            throw ApiException.BadRequest("metadata: Required value: the object has no metadata");
        }

        Admission.CheckMetadata(body);
        if ((string?)meta["name"] is { } bodyName && bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        if ((string?)meta["namespace"] is { Length: > 0 } bodyNs && existing.Namespace is not null && bodyNs != existing.Namespace)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        Admission.CheckKind(type, body);
        if ((string?)meta["resourceVersion"] is { Length: > 0 } rv && rv != existing.ResourceVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw ApiException.Conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
        }

        if ((string?)meta["uid"] is { Length: > 0 } uid && uid != existing.Uid)
        {
            throw ApiException.Conflict(type, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {existing.Uid}");
        }

        if (!status && existing.IsDeleting && meta["finalizers"] is JsonArray newFinalizers &&
            newFinalizers.Select(f => (string?)f).Any(f => f is not null && !existing.Finalizers.Contains(f)))
        {
            throw ApiException.Invalid(type, name, "metadata.finalizers", "Forbidden: no new finalizers can be added if the object is being deleted");
        }

        JsonObject next;
        if (status)
        {
            next = existing.CloneNode();
            var newStatus = body["status"]?.DeepClone();
            if (newStatus is null)
            {
                next.Remove("status");
            }
            else
            {
                next["status"] = newStatus;
            }

            if (type.IsCustom)
            {
                Admission.Admit(type, next, existing);
            }
        }
        else
        {
            next = body;
            var oldMeta = existing.Metadata;
            var nextMeta = (JsonObject)next["metadata"]!;
            foreach (var immutable in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" })
            {
                var old = oldMeta[immutable];
                if (old is null)
                {
                    nextMeta.Remove(immutable);
                }
                else
                {
                    nextMeta[immutable] = old.DeepClone();
                }
            }

            nextMeta["name"] = name;
            if (existing.Namespace is not null)
            {
                nextMeta["namespace"] = existing.Namespace;
            }

            nextMeta.Remove("managedFields");
            if (type.HasStatus)
            {
                var oldStatus = existing.Node["status"];
                if (oldStatus is null)
                {
                    next.Remove("status");
                }
                else
                {
                    next["status"] = oldStatus.DeepClone();
                }
            }

            next["apiVersion"] = existing.Node["apiVersion"]?.DeepClone();
            next["kind"] = type.Kind;
            Admission.Admit(type, next, existing);
            if (type.TracksGeneration && SpecChanged(type, existing.Node, next))
            {
                nextMeta["generation"] = ((long?)oldMeta["generation"] ?? 0) + 1;
            }
        }

        // A no-op write keeps the resourceVersion, like the real server.
        ((JsonObject)next["metadata"]!)["resourceVersion"] = existing.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        if (JsonNode.DeepEquals(next, existing.Node))
        {
            return existing;
        }

        var updated = Commit(table, existing, next, "MODIFIED", managers);
        if (updated.IsDeleting && updated.Finalizers.Count == 0)
        {
            return RemoveNow(table, updated);
        }

        Admission.AfterCommit(type, updated);
        return updated;
    }

    private static bool SpecChanged(ResourceType type, JsonObject before, JsonObject after)
    {
        var keys = before.Select(p => p.Key).Union(after.Select(p => p.Key));
        foreach (var key in keys)
        {
            if (key is "metadata" or "apiVersion" or "kind" || (key == "status" && type.HasStatus))
            {
                continue;
            }

            if (!JsonNode.DeepEquals(before[key], after[key]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Deletes an object with the given propagation policy; returns the object and whether it is gone.</summary>
    public (StoredObject Object, bool Gone) Delete(ResourceType type, string? ns, string name, string? propagation,
        string? preconditionUid = null, string? preconditionRv = null)
    {
        lock (gate)
        {
            var table = TableOf(type);
            var existing = table.Objects.GetValueOrDefault(KeyOf(ns, name)) ?? throw ApiException.NotFound(type, name);
            if (preconditionUid is { Length: > 0 } && preconditionUid != existing.Uid)
            {
                throw ApiException.Conflict(type, name, $"Precondition failed: UID in precondition: {preconditionUid}, UID in object meta: {existing.Uid}");
            }

            if (preconditionRv is { Length: > 0 } && preconditionRv != existing.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw ApiException.Conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
            }

            return DeleteLocked(table, existing, propagation ?? "Background");
        }
    }

    private (StoredObject Object, bool Gone) DeleteLocked(Table table, StoredObject existing, string propagation)
    {
        if (propagation is not ("Background" or "Foreground" or "Orphan"))
        {
            throw ApiException.BadRequest($"propagationPolicy: Unsupported value: \"{propagation}\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
        }

        if (propagation == "Orphan")
        {
            Orphan(existing);
        }

        var isNamespace = table.Type == BuiltinTypes.Namespaces;
        var finalizers = existing.Finalizers.ToList();
        if (propagation == "Foreground" && !finalizers.Contains("foregroundDeletion") && HasDependents(existing.Uid))
        {
            finalizers.Add("foregroundDeletion");
        }

        if (finalizers.Count == 0 && !isNamespace)
        {
            return (RemoveNow(table, existing), true);
        }

        var current = existing;
        if (!existing.IsDeleting || finalizers.Count != existing.Finalizers.Count)
        {
            var next = existing.CloneNode();
            var meta = (JsonObject)next["metadata"]!;
            meta["deletionTimestamp"] ??= Now();
            meta["deletionGracePeriodSeconds"] ??= 0;
            if (finalizers.Count > 0)
            {
                meta["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray());
            }

            if (isNamespace)
            {
                next["status"] = new JsonObject { ["phase"] = "Terminating" };
            }

            current = Commit(table, existing, next, "MODIFIED", existing.Managers);
        }

        if (isNamespace)
        {
            foreach (var t in tables.Values.Where(t => t.Type.Namespaced).ToList())
            {
                foreach (var obj in t.Objects.Values.Where(o => o.Namespace == existing.Name).ToList())
                {
                    if (!obj.IsDeleting)
                    {
                        DeleteLocked(t, obj, "Background");
                    }
                }
            }

            return TryFinishNamespace(existing.Name) ? (current, true) : (current, false);
        }

        if (propagation == "Foreground")
        {
            foreach (var dep in DependentsOf(existing.Uid))
            {
                if (tables.TryGetValue(dep.TypeKey, out var t) && t.Objects.TryGetValue(KeyOf(dep.Namespace, dep.Name), out var d) && !d.IsDeleting)
                {
                    DeleteLocked(t, d, "Foreground");
                }
            }

            TryFinishForeground(existing.Uid);
        }

        var gone = !tables.TryGetValue(table.Type.Key, out var tt) || !tt.Objects.ContainsKey(KeyOf(existing.Namespace, existing.Name));
        return (gone ? current : tt!.Objects[KeyOf(existing.Namespace, existing.Name)], gone);
    }

    private bool HasDependents(string uid) => dependents.TryGetValue(uid, out var set) && set.Count > 0;

    private List<ObjectRef> DependentsOf(string uid) => dependents.TryGetValue(uid, out var set) ? [.. set] : [];

    private void Orphan(StoredObject owner)
    {
        foreach (var dep in DependentsOf(owner.Uid))
        {
            RemoveOwnerReference(dep, owner.Uid);
        }
    }

    private void RemoveOwnerReference(ObjectRef dep, string ownerUid)
    {
        if (!tables.TryGetValue(dep.TypeKey, out var t) || !t.Objects.TryGetValue(KeyOf(dep.Namespace, dep.Name), out var d))
        {
            return;
        }

        var next = d.CloneNode();
        var refs = (JsonArray)next["metadata"]!["ownerReferences"]!;
        foreach (var r in refs.Where(r => (string?)r?["uid"] == ownerUid).ToList())
        {
            refs.Remove(r);
        }

        if (refs.Count == 0)
        {
            ((JsonObject)next["metadata"]!).Remove("ownerReferences");
        }

        Commit(t, d, next, "MODIFIED", d.Managers);
    }

    /// <summary>Removes an object from storage now, then runs garbage collection for what depended on it.</summary>
    private StoredObject RemoveNow(Table table, StoredObject existing)
    {
        var tombstone = Commit(table, existing, null, "DELETED", null);
        if (current.DryRun)
        {
            return tombstone;
        }

        if (table.Type == BuiltinTypes.CustomResourceDefinitions)
        {
            Admission.OnCrdRemoved(existing);
        }

        // Background GC: a dependent whose owners are all gone is deleted; otherwise the dangling reference is dropped.
        foreach (var dep in DependentsOf(existing.Uid))
        {
            if (!tables.TryGetValue(dep.TypeKey, out var t) || !t.Objects.TryGetValue(KeyOf(dep.Namespace, dep.Name), out var d))
            {
                continue;
            }

            if (d.OwnerUids.All(u => u == existing.Uid || !byUid.ContainsKey(u)))
            {
                if (!d.IsDeleting)
                {
                    DeleteLocked(t, d, "Background");
                }
            }
            else
            {
                RemoveOwnerReference(dep, existing.Uid);
            }
        }

        foreach (var ownerUid in existing.OwnerUids)
        {
            TryFinishForeground(ownerUid);
        }

        if (existing.Namespace is not null)
        {
            TryFinishNamespace(existing.Namespace);
        }

        return tombstone;
    }

    private void TryFinishForeground(string ownerUid)
    {
        if (!byUid.TryGetValue(ownerUid, out var ownerRef) || HasDependents(ownerUid) ||
            !tables.TryGetValue(ownerRef.TypeKey, out var t) || !t.Objects.TryGetValue(KeyOf(ownerRef.Namespace, ownerRef.Name), out var owner) ||
            !owner.IsDeleting || !owner.Finalizers.Contains("foregroundDeletion"))
        {
            return;
        }

        var next = owner.CloneNode();
        var fins = (JsonArray)next["metadata"]!["finalizers"]!;
        foreach (var f in fins.Where(f => (string?)f == "foregroundDeletion").ToList())
        {
            fins.Remove(f);
        }

        if (fins.Count == 0)
        {
            ((JsonObject)next["metadata"]!).Remove("finalizers");
            RemoveNow(t, Commit(t, owner, next, "MODIFIED", owner.Managers));
        }
        else
        {
            Commit(t, owner, next, "MODIFIED", owner.Managers);
        }
    }

    private bool TryFinishNamespace(string ns)
    {
        var nsTable = tables[BuiltinTypes.Namespaces.Key];
        if (!nsTable.Objects.TryGetValue(ns, out var nsObj) || !nsObj.IsDeleting)
        {
            return false;
        }

        if (tables.Values.Any(t => t.Type.Namespaced && t.Objects.Values.Any(o => o.Namespace == ns)))
        {
            return false;
        }

        if (nsObj.Finalizers.Count > 0)
        {
            return false;
        }

        RemoveNow(nsTable, nsObj);
        return true;
    }

    /// <summary>Assigns the next resourceVersion, stores (or removes) the object and notifies watchers.</summary>
    private StoredObject Commit(Table table, StoredObject? old, JsonObject? next, string eventType,
        Dictionary<string, HashSet<string>>? managers)
    {
        if (current.DryRun)
        {
            var preview = next ?? old!.CloneNode();
            ((JsonObject)preview["metadata"]!)["resourceVersion"] = (old?.ResourceVersion ?? resourceVersion).ToString(CultureInfo.InvariantCulture);
            return new StoredObject(preview, managers);
        }

        var rv = ++resourceVersion;
        var rvText = rv.ToString(CultureInfo.InvariantCulture);
        StoredObject sent;
        StoredObject? stored = null;
        if (next is null)
        {
            var tomb = old!.CloneNode();
            ((JsonObject)tomb["metadata"]!)["resourceVersion"] = rvText;
            sent = new StoredObject(tomb);
            table.Objects.Remove(KeyOf(old.Namespace, old.Name));
            byUid.Remove(old.Uid);
        }
        else
        {
            ((JsonObject)next["metadata"]!)["resourceVersion"] = rvText;
            stored = new StoredObject(next, managers);
            sent = stored;
            table.Objects[KeyOf(stored.Namespace, stored.Name)] = stored;
            byUid[stored.Uid] = new ObjectRef(table.Type.Key, stored.Namespace, stored.Name);
        }

        var self = new ObjectRef(table.Type.Key, (old ?? stored)!.Namespace, (old ?? stored)!.Name);
        foreach (var uid in old?.OwnerUids ?? [])
        {
            if (dependents.TryGetValue(uid, out var set))
            {
                set.Remove(self);
                if (set.Count == 0)
                {
                    dependents.Remove(uid);
                }
            }
        }

        foreach (var uid in stored?.OwnerUids ?? [])
        {
            if (!dependents.TryGetValue(uid, out var set))
            {
                dependents[uid] = set = [];
            }

            set.Add(self);
        }

        var change = new ChangeRecord(rv, old, stored, sent, eventType);
        table.History.Enqueue(change);
        while (table.History.Count > historyLimit)
        {
            table.CompactedRv = table.History.Dequeue().ResourceVersion;
        }

        foreach (var w in table.Watchers)
        {
            if (w.Translate(change) is { } evt)
            {
                w.Channel.Writer.TryWrite(evt);
            }
        }

        return sent;
    }

    public string Now() => time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
