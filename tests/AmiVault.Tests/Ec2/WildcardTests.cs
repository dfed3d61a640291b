using AmiVault.Protocols.Ec2;

namespace AmiVault.Tests.Ec2;

public sealed class WildcardTests
{
    [Theory]
    [InlineData("web", "web", true)]
    [InlineData("web", "Web", false)]
    [InlineData("web*", "web-2024", true)]
    [InlineData("*2024", "web-2024", true)]
    [InlineData("w?b", "web", true)]
    [InlineData("w?b", "wb", false)]
    [InlineData("*", "", true)]
    [InlineData("a*b*c", "a-b-b-c", true)]
    [InlineData("a*b*c", "a-b-b-", false)]
    [InlineData("\\*", "*", true)]
    [InlineData("\\*", "x", false)]
    [InlineData("a\\?", "a?", true)]
    [InlineData("a\\?", "ab", false)]
    [InlineData("end\\", "end\\", true)]
    public void Wildcards_match_as_EC2_filters_do(string pattern, string value, bool matches) =>
        Assert.Equal(matches, Ec2Wildcard.Matches(pattern, value));
}
