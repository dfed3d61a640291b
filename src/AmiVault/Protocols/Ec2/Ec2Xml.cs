using System.Globalization;
using System.Text;
using System.Xml;

namespace AmiVault.Protocols.Ec2;

/// <summary>
/// Writes EC2 Query responses: every element in the EC2 namespace (a bare XmlWriter element would undeclare it),
/// lists as &lt;xxxSet&gt;&lt;item&gt;, booleans lower-case, timestamps ISO-8601 UTC with milliseconds.
/// </summary>
internal sealed class Ec2Xml : IDisposable
{
    public const string Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";

    private readonly MemoryStream _buffer = new();
    private readonly XmlWriter _writer;

    public Ec2Xml(string rootElement, string requestId)
    {
        _writer = XmlWriter.Create(_buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false });
        _writer.WriteStartDocument();
        _writer.WriteStartElement(rootElement, Namespace);
        Value("requestId", requestId);
    }

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>EC2's text for a boolean (lower case), also what filters compare against.</summary>
    public static string? Text(bool? value) => value switch
    {
        null => null,
        true => "true",
        false => "false",
    };

    public static string? Text(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    public Ec2Xml Start(string name)
    {
        _writer.WriteStartElement(name, Namespace);
        return this;
    }

    public Ec2Xml End()
    {
        _writer.WriteEndElement();
        return this;
    }

    /// <summary>Writes a leaf element; a null value writes nothing, as EC2 omits unset members.</summary>
    public Ec2Xml Value(string name, string? value)
    {
        if (value is not null)
        {
            _writer.WriteElementString(name, Namespace, value);
        }

        return this;
    }

    public Ec2Xml Value(string name, bool? value) => Value(name, Text(value));

    public Ec2Xml Value(string name, long? value) => Value(name, Text(value));

    public Ec2Xml Value(string name, DateTimeOffset? value) => Value(name, value is null ? null : Timestamp(value.Value));

    /// <summary>Writes &lt;setName&gt;&lt;item&gt;…&lt;/item&gt;…&lt;/setName&gt;, even when empty, as EC2 does.</summary>
    public Ec2Xml Set<T>(string setName, IEnumerable<T> items, Action<Ec2Xml, T> writeItem)
    {
        Start(setName);
        foreach (var item in items)
        {
            Start("item");
            writeItem(this, item);
            End();
        }

        return End();
    }

    public Ec2Xml Tags(IEnumerable<KeyValuePair<string, string>> tags) =>
        Set("tagSet", tags, (x, t) => x.Value("key", t.Key).Value("value", t.Value));

    public byte[] ToArray()
    {
        _writer.WriteEndElement();
        _writer.WriteEndDocument();
        _writer.Flush();
        return _buffer.ToArray();
    }

    public void Dispose()
    {
        _writer.Dispose();
        _buffer.Dispose();
    }
}
