using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Api.Protobuf;

/// <summary>
/// Decodes an <c>application/vnd.kubernetes.protobuf</c> request body (the <c>k8s\0</c> magic, then a
/// <c>runtime.Unknown</c> holding the TypeMeta and the raw message) into the JSON object a JSON body would give,
/// so it takes the usual admission path. Go's JSON drops zero values of non-pointer fields, and so does this.
/// </summary>
internal static class ProtobufBody
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private const string Meta = "k8s.io.apimachinery.pkg.apis.meta.v1.";

    private static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    public static bool Is(string? contentType) =>
        contentType?.Split(';')[0].Trim().Equals(MediaType, StringComparison.OrdinalIgnoreCase) == true;

    public static JsonObject Decode(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(Magic))
        {
            throw ProtoReader.Malformed("the body does not start with the k8s\\0 prefix");
        }

        var reader = new ProtoReader(body[Magic.Length..]);
        string apiVersion = "", kind = "", encoding = "", contentType = "";
        ReadOnlySpan<byte> raw = default;
        while (!reader.End)
        {
            var (field, wire) = reader.ReadTag();
            switch (field, wire)
            {
                case (1, ProtoReader.LengthDelimited):
                    (apiVersion, kind) = TypeMeta(reader.ReadBytes());
                    break;
                case (2, ProtoReader.LengthDelimited):
                    raw = reader.ReadBytes();
                    break;
                case (3, ProtoReader.LengthDelimited):
                    encoding = Encoding.UTF8.GetString(reader.ReadBytes());
                    break;
                case (4, ProtoReader.LengthDelimited):
                    contentType = Encoding.UTF8.GetString(reader.ReadBytes());
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        if (encoding.Length > 0 || (contentType.Length > 0 && contentType != MediaType))
        {
            throw Unsupported($"content encoding \"{encoding}\", content type \"{contentType}\"");
        }

        var message = MessageName(apiVersion, kind);
        if (!ProtobufFields.Messages.ContainsKey(message))
        {
            throw Unsupported($"{kind} in {apiVersion} has no protobuf message known to the simulator; send JSON");
        }

        var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        DecodeMessage(raw, message, obj);

        // Re-read as text so every value is backed by JSON exactly as a JSON body's would be (numbers read as long or double).
        return BodyParser.ParseObject(obj.ToJsonString());
    }

    /// <summary><c>apps/v1</c> + <c>Deployment</c> → <c>k8s.io.api.apps.v1.Deployment</c> (the proto package is the group's first label).</summary>
    private static string MessageName(string apiVersion, string kind)
    {
        if (kind is "DeleteOptions")
        {
            return Meta + kind;
        }

        var slash = apiVersion.IndexOf('/');
        var group = slash < 0 ? "core" : apiVersion[..slash].Split('.')[0];
        var version = apiVersion[(slash + 1)..];
        return $"k8s.io.api.{group}.{version}.{kind}";
    }

    private static (string ApiVersion, string Kind) TypeMeta(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes);
        string apiVersion = "", kind = "";
        while (!reader.End)
        {
            var (field, wire) = reader.ReadTag();
            if (wire == ProtoReader.LengthDelimited && field is 1 or 2)
            {
                var text = Encoding.UTF8.GetString(reader.ReadBytes());
                (apiVersion, kind) = field == 1 ? (text, kind) : (apiVersion, text);
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return (apiVersion, kind);
    }

    private static void DecodeMessage(ReadOnlySpan<byte> bytes, string message, JsonObject into)
    {
        var fields = ProtobufFields.Messages[message];
        var reader = new ProtoReader(bytes);
        while (!reader.End)
        {
            var (number, wire) = reader.ReadTag();
            if (!fields.TryGetValue(number, out var field))
            {
                reader.Skip(wire);
                continue;
            }

            if (field.Map)
            {
                var map = into[field.Name] as JsonObject ?? new JsonObject();
                into[field.Name] = map;
                MapEntry(Expect(ref reader, wire, ProtoReader.LengthDelimited, field), field.Type, map);
            }
            else if (field.Repeated)
            {
                var list = into[field.Name] as JsonArray ?? new JsonArray();
                into[field.Name] = list;
                Repeated(ref reader, wire, field, list);
            }
            else
            {
                var value = Value(ref reader, wire, field);
                if (field.Pointer ? value is not null : !IsZero(value))
                {
                    into[field.Name] = value;
                }
                else
                {
                    into.Remove(field.Name);
                }
            }
        }
    }

    private static void Repeated(ref ProtoReader reader, int wire, ProtoField field, JsonArray list)
    {
        // Packed numbers: one length-delimited run of varints.
        if (wire == ProtoReader.LengthDelimited && field.Type is "int32" or "int64" or "bool")
        {
            var packed = new ProtoReader(reader.ReadBytes());
            while (!packed.End)
            {
                list.Add(Value(ref packed, ProtoReader.Varint, field));
            }

            return;
        }

        list.Add(Value(ref reader, wire, field));
    }

    private static void MapEntry(ReadOnlySpan<byte> entry, string valueType, JsonObject map)
    {
        var reader = new ProtoReader(entry);
        var key = "";
        JsonNode? value = null;
        var valueField = new ProtoField(2, "value", valueType, Repeated: false, Map: false, Pointer: false);
        while (!reader.End)
        {
            var (number, wire) = reader.ReadTag();
            switch (number)
            {
                case 1:
                    key = Encoding.UTF8.GetString(Expect(ref reader, wire, ProtoReader.LengthDelimited, valueField));
                    break;
                case 2:
                    value = Value(ref reader, wire, valueField);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        map[key] = value ?? (valueType is "string" or "bytes" ? "" : null);
    }

    private static JsonNode? Value(ref ProtoReader reader, int wire, ProtoField field) => field.Type switch
    {
        "string" => Encoding.UTF8.GetString(Expect(ref reader, wire, ProtoReader.LengthDelimited, field)),
        "bytes" => Convert.ToBase64String(Expect(ref reader, wire, ProtoReader.LengthDelimited, field)),
        "bool" => ExpectVarint(ref reader, wire, field) != 0,
        "int32" => (int)ExpectVarint(ref reader, wire, field),
        "int64" => (long)ExpectVarint(ref reader, wire, field),
        "uint32" => (uint)ExpectVarint(ref reader, wire, field),
        "uint64" => ExpectVarint(ref reader, wire, field),
        "double" when wire == ProtoReader.Fixed64 => BitConverter.UInt64BitsToDouble(reader.ReadFixed64()),
        "float" when wire == ProtoReader.Fixed32 => BitConverter.UInt32BitsToSingle(reader.ReadFixed32()),
        _ => Message(Expect(ref reader, wire, ProtoReader.LengthDelimited, field), field.Type),
    };

    private static JsonNode? Message(ReadOnlySpan<byte> bytes, string type)
    {
        switch (type)
        {
            case Meta + "Time":
                return WellKnown.Time(bytes, "yyyy-MM-dd'T'HH:mm:ss'Z'");
            case Meta + "MicroTime":
                return WellKnown.Time(bytes, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'");
            case Meta + "Duration":
                return WellKnown.Duration(bytes);
            case "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
                return WellKnown.IntOrString(bytes);
            case "k8s.io.apimachinery.pkg.api.resource.Quantity":
                return WellKnown.StringField(bytes);
            case Meta + "FieldsV1" or "k8s.io.apimachinery.pkg.runtime.RawExtension":
                return WellKnown.RawJson(bytes);
        }

        if (!ProtobufFields.Messages.ContainsKey(type))
        {
            throw ProtoReader.Malformed($"no field table for message {type}");
        }

        var obj = new JsonObject();
        DecodeMessage(bytes, type, obj);
        return obj;
    }

    private static bool IsZero(JsonNode? value) => value switch
    {
        null => true,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length == 0,
        JsonValue v when v.TryGetValue<bool>(out var b) => !b,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString() is "0" or "0.0",
        _ => false,
    };

    private static ReadOnlySpan<byte> Expect(ref ProtoReader reader, int wire, int expected, ProtoField field) =>
        wire == expected ? reader.ReadBytes() : throw WrongWire(field, wire);

    private static ulong ExpectVarint(ref ProtoReader reader, int wire, ProtoField field) =>
        wire == ProtoReader.Varint ? reader.ReadVarint() : throw WrongWire(field, wire);

    private static ApiException WrongWire(ProtoField field, int wire) =>
        ProtoReader.Malformed($"field {field.Name} ({field.Number}) of type {field.Type} has wire type {wire}");

    private static ApiException Unsupported(string why) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - {why}");

    /// <summary>The apimachinery types whose protobuf form differs from their JSON form.</summary>
    private static class WellKnown
    {
        public static JsonNode? Time(ReadOnlySpan<byte> bytes, string format)
        {
            var (seconds, nanos) = (0L, 0L);
            var reader = new ProtoReader(bytes);
            while (!reader.End)
            {
                var (field, wire) = reader.ReadTag();
                if (wire != ProtoReader.Varint)
                {
                    reader.Skip(wire);
                    continue;
                }

                var value = (long)reader.ReadVarint();
                (seconds, nanos) = field == 1 ? (value, nanos) : field == 2 ? (seconds, value) : (seconds, nanos);
            }

            // A zero Time marshals to an empty message and to JSON null.
            return seconds == 0 && nanos == 0 ? null
                : DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanos / 100).UtcDateTime.ToString(format, CultureInfo.InvariantCulture);
        }

        public static JsonNode Duration(ReadOnlySpan<byte> bytes)
        {
            var reader = new ProtoReader(bytes);
            long nanos = 0;
            while (!reader.End)
            {
                var (field, wire) = reader.ReadTag();
                if (field == 1 && wire == ProtoReader.Varint)
                {
                    nanos = (long)reader.ReadVarint();
                }
                else
                {
                    reader.Skip(wire);
                }
            }

            return GoDuration(nanos);
        }

        public static JsonNode IntOrString(ReadOnlySpan<byte> bytes)
        {
            var reader = new ProtoReader(bytes);
            var (isString, number, text) = (false, 0, "");
            while (!reader.End)
            {
                var (field, wire) = reader.ReadTag();
                switch (field, wire)
                {
                    case (1, ProtoReader.Varint):
                        isString = reader.ReadVarint() == 1;
                        break;
                    case (2, ProtoReader.Varint):
                        number = (int)reader.ReadVarint();
                        break;
                    case (3, ProtoReader.LengthDelimited):
                        text = Encoding.UTF8.GetString(reader.ReadBytes());
                        break;
                    default:
                        reader.Skip(wire);
                        break;
                }
            }

            return isString ? JsonValue.Create(text) : JsonValue.Create(number);
        }

        public static JsonNode StringField(ReadOnlySpan<byte> bytes)
        {
            var reader = new ProtoReader(bytes);
            var text = "";
            while (!reader.End)
            {
                var (field, wire) = reader.ReadTag();
                if (field == 1 && wire == ProtoReader.LengthDelimited)
                {
                    text = Encoding.UTF8.GetString(reader.ReadBytes());
                }
                else
                {
                    reader.Skip(wire);
                }
            }

            return text;
        }

        public static JsonNode? RawJson(ReadOnlySpan<byte> bytes)
        {
            var reader = new ProtoReader(bytes);
            while (!reader.End)
            {
                var (field, wire) = reader.ReadTag();
                if (field == 1 && wire == ProtoReader.LengthDelimited)
                {
                    var raw = reader.ReadBytes();
                    return raw.IsEmpty ? null : BodyParser.ParseJson(Encoding.UTF8.GetString(raw));
                }

                reader.Skip(wire);
            }

            return null;
        }

        /// <summary>Go's <c>time.Duration.String()</c>: <c>1h2m3.5s</c>, <c>1.5ms</c>, <c>0s</c>.</summary>
        private static string GoDuration(long nanos)
        {
            if (nanos == 0)
            {
                return "0s";
            }

            var sign = nanos < 0 ? "-" : "";
            var abs = Math.Abs((decimal)nanos);
            if (abs < 1_000_000_000m)
            {
                var (unit, scale) = abs < 1_000m ? ("ns", 1m) : abs < 1_000_000m ? ("µs", 1_000m) : ("ms", 1_000_000m);
                return sign + (abs / scale).ToString("0.#########", CultureInfo.InvariantCulture) + unit;
            }

            var hours = decimal.Floor(abs / 3_600_000_000_000m);
            var minutes = decimal.Floor(abs % 3_600_000_000_000m / 60_000_000_000m);
            var seconds = abs % 60_000_000_000m / 1_000_000_000m;
            var text = seconds.ToString("0.#########", CultureInfo.InvariantCulture) + "s";
            if (hours > 0)
            {
                return $"{sign}{hours}h{minutes}m{text}";
            }

            return minutes > 0 ? $"{sign}{minutes}m{text}" : sign + text;
        }
    }
}
