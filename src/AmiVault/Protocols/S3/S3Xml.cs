using System.Globalization;
using System.Text;
using System.Xml;

namespace AmiVault.Protocols.S3;

/// <summary>Writes S3 REST-XML answers: elements in the S3 namespace, timestamps ISO-8601 UTC with milliseconds.</summary>
internal sealed class S3Xml : IDisposable
{
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    private readonly MemoryStream _buffer = new();
    private readonly XmlWriter _writer;

    public S3Xml(string rootElement, string? ns = Namespace)
    {
        _writer = XmlWriter.Create(_buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false });
        _writer.WriteStartDocument();
        _writer.WriteStartElement(rootElement, ns);
        Ns = ns;
    }

    private string? Ns { get; }

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public S3Xml Start(string name)
    {
        _writer.WriteStartElement(name, Ns);
        return this;
    }

    public S3Xml End()
    {
        _writer.WriteEndElement();
        return this;
    }

    /// <summary>Writes a leaf element; a null value writes nothing.</summary>
    public S3Xml Value(string name, string? value)
    {
        if (value is not null)
        {
            _writer.WriteElementString(name, Ns, value);
        }

        return this;
    }

    /// <summary>Text content of the current element (GetBucketLocation's answer is a bare value).</summary>
    public S3Xml Text(string value)
    {
        _writer.WriteString(value);
        return this;
    }

    public S3Xml Attribute(string prefix, string name, string ns, string value)
    {
        _writer.WriteAttributeString(prefix, name, ns, value);
        return this;
    }

    public S3Xml Value(string name, bool value) => Value(name, value ? "true" : "false");

    public S3Xml Value(string name, long value) => Value(name, value.ToString(CultureInfo.InvariantCulture));

    public S3Xml Value(string name, DateTimeOffset value) => Value(name, Timestamp(value));

    /// <summary>The Owner / Initiator element: S3 shows the account's canonical id; here that is the account id.</summary>
    public S3Xml Principal(string element, string accountId) =>
        Start(element).Value("ID", accountId).Value("DisplayName", accountId).End();

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
