using Flagger.Simulator.Store;

namespace Flagger.Simulator.Api.Protobuf;

/// <summary>The protobuf wire format: tags, varints, fixed-width numbers and length-delimited bytes; malformed input is a 400.</summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> data = data;
    private int position;

    public readonly bool End => position >= data.Length;

    public (int Field, int Wire) ReadTag()
    {
        var tag = ReadVarint();
        var field = (int)(tag >> 3);
        if (field <= 0)
        {
            throw Malformed($"invalid field number {tag >> 3}");
        }

        return (field, (int)(tag & 7));
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length)
            {
                throw Malformed("truncated varint");
            }

            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Malformed("varint longer than 10 bytes");
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(data.Length - position))
        {
            throw Malformed("length-delimited field runs past the end of its message");
        }

        var bytes = data.Slice(position, (int)length);
        position += (int)length;
        return bytes;
    }

    public ulong ReadFixed64() => BitConverter.ToUInt64(Take(8));

    public uint ReadFixed32() => BitConverter.ToUInt32(Take(4));

    /// <summary>Skips a field this reader has no table entry for, as a real server's decoder does.</summary>
    public void Skip(int wire)
    {
        switch (wire)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                Take(8);
                break;
            case LengthDelimited:
                ReadBytes();
                break;
            case Fixed32:
                Take(4);
                break;
            default:
                throw Malformed($"unsupported wire type {wire}");
        }
    }

    public static ApiException Malformed(string why) =>
        ApiException.BadRequest($"the body of the request could not be decoded as protobuf: {why}");

    private ReadOnlySpan<byte> Take(int count)
    {
        if (data.Length - position < count)
        {
            throw Malformed("truncated fixed-width field");
        }

        var bytes = data.Slice(position, count);
        position += count;
        return bytes;
    }
}
