using AmiVault.Accounts;
using AmiVault.Auth;
using AmiVault.Protocols.Ec2;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Tests.Ec2;

public sealed class PageTokenTests
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_token_continues_after_the_last_item_of_the_previous_page()
    {
        var tokens = new Ec2PageTokens(_clock, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var items = Enumerable.Range(0, 12).Select(i => $"item-{i:D2}").Reverse().ToList();
        var (first, next) = tokens.Start(Call(("MaxResults", "5"))).Take(items, x => x);
        Assert.Equal(["item-00", "item-01", "item-02", "item-03", "item-04"], first);

        // An item added before the position and one removed after it change nothing already listed.
        items.Add("item-00a");
        items.Remove("item-06");
        var (second, last) = tokens.Start(Call(("MaxResults", "5"), ("NextToken", next!))).Take(items, x => x);
        Assert.Equal(["item-05", "item-07", "item-08", "item-09", "item-10"], second);
        var (third, end) = tokens.Start(Call(("MaxResults", "5"), ("NextToken", last!))).Take(items, x => x);
        Assert.Equal(["item-11"], third);
        Assert.Null(end);
    }

    [Fact]
    public void A_token_is_refused_when_altered_reused_with_other_parameters_expired_or_from_another_process()
    {
        var tokens = new Ec2PageTokens(_clock, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var items = Enumerable.Range(0, 20).Select(i => $"{i:D2}").ToList();
        var token = tokens.Start(Call(("MaxResults", "5"), ("Filter.1.Name", "name"), ("Filter.1.Value.1", "a*"))).Take(items, x => x).NextToken!;

        void Refused(Ec2PageTokens by, string presented, params (string, string)[] parameters)
        {
            var e = Assert.Throws<Ec2Exception>(() => by.Start(Call([("MaxResults", "5"), ("NextToken", presented), .. parameters])));
            Assert.Equal("InvalidPaginationToken", e.Code);
        }

        var sameFilters = new[] { ("Filter.1.Name", "name"), ("Filter.1.Value.1", "a*") };
        Assert.NotNull(tokens.Start(Call([("MaxResults", "50"), ("NextToken", token), .. sameFilters])));
        var middle = token.Length / 2;
        Refused(tokens, token[..middle] + (token[middle] == 'A' ? 'B' : 'A') + token[(middle + 1)..], sameFilters);
        Refused(tokens, token[..^1] + (token[^1] == 'A' ? 'B' : 'A'), sameFilters);
        Refused(tokens, token, ("Filter.1.Name", "name"), ("Filter.1.Value.1", "b*"));
        Refused(tokens, token);
        Refused(new Ec2PageTokens(_clock, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), token, sameFilters);
        Refused(tokens, new string('A', 5000), sameFilters);
        _clock.Now += Ec2PageTokens.Lifetime + TimeSpan.FromMinutes(1);
        Refused(tokens, token, sameFilters);
    }

    [Fact]
    public void MaxResults_below_the_minimum_is_refused_and_above_the_maximum_is_lowered()
    {
        var tokens = new Ec2PageTokens(_clock, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var items = Enumerable.Range(0, 1500).Select(i => $"{i:D4}").ToList();
        Assert.Equal("InvalidParameterValue", Assert.Throws<Ec2Exception>(() => tokens.Start(Call(("MaxResults", "4")))).Code);
        Assert.Equal(1000, tokens.Start(Call(("MaxResults", "5000"))).Take(items, x => x).Items.Count);
        Assert.Equal(1500, tokens.Start(Call()).Take(items, x => x).Items.Count);
    }

    private static Ec2Call Call(params (string Name, string Value)[] parameters)
    {
        var all = parameters.Where(p => p.Value.Length > 0 || p.Name != "NextToken").ToDictionary(p => p.Name, p => p.Value);
        var identity = new RequestIdentity(new Account("111111111111", "AKIAEXAMPLEEXAMPLE01", "secret"), IamPrincipal.Root("aws", "111111111111"), "ec2", "us-east-1", DateTimeOffset.UnixEpoch, "", "", [], "", "");
        return new Ec2Call(new DefaultHttpContext(), new Ec2Parameters(all), identity, "DescribeImages", "request");
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
