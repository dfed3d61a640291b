using System.Globalization;
using System.Text;
using System.Xml;

namespace AmiVault.Protocols;

/// <summary>
/// An XML answer built in memory (EC2 Query and S3 REST-XML): every element in the protocol's namespace (a bare
/// XmlWriter element would undeclare it), null leaf values left out, booleans lower-case, timestamps ISO-8601 UTC
/// with milliseconds. Each protocol adds its own shapes (EC2's item sets, S3's owners).
/// </summary>
internal abstract class XmlAnswer<TSelf> : IDisposable
    where TSelf : XmlAnswer<TSelf>
{
    private readonly MemoryStream _buffer = new();
    private readonly string _namespace;

    protected XmlAnswer(string rootElement, string ns)
    {
        _namespace = ns;
        Writer = XmlWriter.Create(_buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false });
        Writer.WriteStartDocument();
        Writer.WriteStartElement(rootElement, ns);
    }

    protected XmlWriter Writer { get; }

    private TSelf Self => (TSelf)this;

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>AWS's text for a boolean (lower case), also what EC2 filters compare against.</summary>
    public static string? Text(bool? value) => value switch
    {
        null => null,
        true => "true",
        false => "false",
    };

    public static string? Text(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    public TSelf Start(string name)
    {
        Writer.WriteStartElement(name, _namespace);
        return Self;
    }

    public TSelf End()
    {
        Writer.WriteEndElement();
        return Self;
    }

    /// <summary>Writes a leaf element; a null value writes nothing, as AWS omits unset members.</summary>
    public TSelf Value(string name, string? value)
    {
        if (value is not null)
        {
            Writer.WriteElementString(name, _namespace, value);
        }

        return Self;
    }

    public TSelf Value(string name, bool? value) => Value(name, Text(value));

    public TSelf Value(string name, long? value) => Value(name, Text(value));

    public TSelf Value(string name, DateTimeOffset? value) => Value(name, value is null ? null : Timestamp(value.Value));

    public byte[] ToArray()
    {
        Writer.WriteEndElement();
        Writer.WriteEndDocument();
        Writer.Flush();
        return _buffer.ToArray();
    }

    public void Dispose()
    {
        Writer.Dispose();
        _buffer.Dispose();
    }
}
