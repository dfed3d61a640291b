namespace AmiVault.Protocols.Query;

/// <summary>Writes IAM and STS answers: lists as &lt;Name&gt;&lt;member&gt;…&lt;/member&gt;&lt;/Name&gt;.</summary>
internal sealed class QueryXml(string rootElement, string ns) : XmlAnswer<QueryXml>(rootElement, ns)
{
    public QueryXml Members<T>(string name, IEnumerable<T> items, Action<QueryXml, T> writeItem)
    {
        Start(name);
        foreach (var item in items)
        {
            Start("member");
            writeItem(this, item);
            End();
        }

        return End();
    }

    public QueryXml Strings(string name, IEnumerable<string> items)
    {
        Start(name);
        foreach (var item in items)
        {
            Value("member", item);
        }

        return End();
    }

    /// <summary>A policy document as IAM returns it: URL-encoded JSON (clients decode it).</summary>
    public QueryXml Document(string name, string document) => Value(name, Uri.EscapeDataString(document));
}
