namespace AmiVault.Protocols.Ec2;

/// <summary>Writes EC2 Query responses: the requestId first, lists as &lt;xxxSet&gt;&lt;item&gt;.</summary>
internal sealed class Ec2Xml : XmlAnswer<Ec2Xml>
{
    public const string Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";

    public Ec2Xml(string rootElement, string requestId)
        : base(rootElement, Namespace)
    {
        Value("requestId", requestId);
    }

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
}
