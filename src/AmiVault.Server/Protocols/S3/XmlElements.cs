using System.Xml.Linq;

namespace AmiVault.Protocols.S3;

/// <summary>Reading request XML by local name: clients send it with or without the S3 namespace.</summary>
internal static class XmlElements
{
    public static IEnumerable<XElement> Children(this XElement element, string name) =>
        element.Elements().Where(e => e.Name.LocalName == name);

    public static XElement? Child(this XElement element, string name) => element.Children(name).FirstOrDefault();

    public static string? ChildValue(this XElement element, string name) => element.Child(name)?.Value;
}
