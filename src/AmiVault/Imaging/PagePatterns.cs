using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace AmiVault.Imaging;

/// <summary>
/// Fills one 4 KiB page with content of a kind, as a pure function of (seed, page index): any page of an image can
/// be made on its own, in any order, on any thread, and always comes out the same.
/// </summary>
internal static class PagePatterns
{
    public const int PageSize = 4096;

    private static readonly byte[][] Words = (
        "the usr lib bin etc var log share include local opt root home srv boot dev proc sys tmp run cache " +
        "config service systemd network kernel module driver device mount file directory path user group " +
        "name value option enable disable true false none default error warning info debug notice started " +
        "stopped failed success return if else fi then do done for while case esac function local export " +
        "static const int char void struct unsigned long define include endif ifdef package version license " +
        "copyright GNU General Public License Software Foundation free distributed WITHOUT WARRANTY see " +
        "x86_64-linux-gnu python3 perl5 dist-packages site-packages __init__ import from class self def " +
        "libc.so.6 libssl.so.3 libz.so.1 ld-linux-x86-64.so.2 .conf .service .py .h .c .txt .gz .html " +
        "Description ExecStart WantedBy After Requires Type=simple Restart=on-failure multi-user.target " +
        "Nov Dec Jan 12:04:33 localhost sshd[1234]: Accepted publickey for from port ssh2 pam_unix session " +
        "opened closed for user root by (uid=0) CRON[991]: CMD apt-get update upgrade install remove " +
        "http https www org com debian ubuntu archive main contrib non-free security updates stable " +
        "<div> </div> <p> </p> <a href= class= id= style= <span> </span> <table> <tr> <td> { } ( ) ; : # //")
        .Split(' ').Select(w => Encoding.ASCII.GetBytes(w)).ToArray();

    private static readonly byte[][] Separators = [.. new[] { " ", " ", " ", " ", "/", "_", " = ", ", " }.Select(Encoding.ASCII.GetBytes)];

    private static readonly byte[][] Indents = [.. new[] { "\n", "\n", "\n    ", "\n\t" }.Select(Encoding.ASCII.GetBytes)];

    // Machine code repeats a few hundred instruction shapes; a fixed table gives binaries their ~2x compressibility.
    private static readonly byte[][] Instructions = BuildInstructions();

    // Tokens sit in fixed 32-byte slots so that each is written with one constant-size copy; the page is made in a
    // scratch buffer with room for the last token to run over, which is then cut off.
    private const int Slot = 32;
    private static readonly byte[] WordSlots = ToSlots(Words);
    private static readonly byte[] SeparatorSlots = ToSlots(Separators);
    private static readonly byte[] IndentSlots = ToSlots(Indents);
    private static readonly byte[] InstructionSlots = ToSlots(Instructions);

    public static void Fill(ImageContent pattern, ulong seed, long pageIndex, Span<byte> page)
    {
        if (page.Length != PageSize)
        {
            throw new ArgumentException($"A page is {PageSize} bytes.", nameof(page));
        }

        var random = new Xoshiro256StarStar(Xoshiro256StarStar.Derive(seed, (ulong)pageIndex));
        switch (pattern)
        {
            case ImageContent.Zeros:
                page.Clear();
                break;
            case ImageContent.Random:
                FillRandom(ref random, page);
                break;
            case ImageContent.Text:
                FillText(ref random, page);
                break;
            case ImageContent.Binary:
                FillBinary(ref random, page);
                break;
            case ImageContent.Repeated:
            default:
                throw new ArgumentOutOfRangeException(nameof(pattern), pattern, "Repeated blocks are made of text or binary pages.");
        }
    }

    private static void FillRandom(ref Xoshiro256StarStar random, Span<byte> page)
    {
        foreach (ref var word in MemoryMarshal.Cast<byte, ulong>(page))
        {
            word = BitConverter.IsLittleEndian ? random.Next() : BinaryPrimitives.ReverseEndianness(random.Next());
        }
    }

    private static void FillText(ref Xoshiro256StarStar random, Span<byte> page)
    {
        Span<byte> scratch = stackalloc byte[PageSize + 2 * Slot];
        ref var output = ref MemoryMarshal.GetReference(scratch);
        var position = 0;
        var wordsLeftOnLine = 3 + (int)random.NextBelow(10);
        while (position < PageSize)
        {
            var r = random.Next();
            var choice = (int)(r & 0xFF);
            if (choice < 16)
            {
                // A number: a count, a size, a port, a timestamp part; now and then in hex.
                var digits = 1 + (int)(r >> 8 & 7);
                var hex = choice >= 13;
                var bits = r >> 12;
                for (var d = 0; d < digits; d++, bits >>= 4)
                {
                    var nibble = (int)(bits & 0xF);
                    Unsafe.Add(ref output, position++) = hex ? (byte)"0123456789abcdef"[nibble] : (byte)('0' + nibble % 10);
                }
            }
            else
            {
                position += Put(ref output, position, WordSlots, Words, Skewed(r >> 8, Words.Length));
            }

            if (--wordsLeftOnLine == 0)
            {
                position += Put(ref output, position, IndentSlots, Indents, (int)(r >> 40 & 3));
                wordsLeftOnLine = 3 + (int)(r >> 44 & 7) + (int)(r >> 47 & 3);
            }
            else
            {
                position += Put(ref output, position, SeparatorSlots, Separators, (int)(r >> 40 & 7));
            }
        }

        scratch[..PageSize].CopyTo(page);
    }

    private static void FillBinary(ref Xoshiro256StarStar random, Span<byte> page)
    {
        Span<byte> scratch = stackalloc byte[PageSize + 2 * Slot];
        ref var output = ref MemoryMarshal.GetReference(scratch);
        var position = 0;
        while (position < PageSize)
        {
            var r = random.Next();
            var choice = (int)(r & 0xFF);
            ref var at = ref Unsafe.Add(ref output, position);
            if (choice < 150)
            {
                position += Put(ref output, position, InstructionSlots, Instructions, Skewed(r >> 8, Instructions.Length));
            }
            else if (choice < 190)
            {
                // A relative jump or call offset: small, signed.
                Unsafe.WriteUnaligned(ref at, BitConverter.IsLittleEndian ? (int)(r >> 24 & 0x1FFF) - 0x1000 : BinaryPrimitives.ReverseEndianness((int)(r >> 24 & 0x1FFF) - 0x1000));
                position += 4;
            }
            else if (choice < 215)
            {
                // A pointer into a mapped library: high bits shared, low bits varying.
                var pointer = 0x00007F3A_00000000UL | (r >> 24 & 0xFFFFF) << 3;
                Unsafe.WriteUnaligned(ref at, BitConverter.IsLittleEndian ? pointer : BinaryPrimitives.ReverseEndianness(pointer));
                position += 8;
            }
            else if (choice < 240)
            {
                // Alignment padding.
                Unsafe.InitBlockUnaligned(ref at, 0, 16);
                position += 1 + (int)(r >> 8 & 15);
            }
            else
            {
                // Constants and data: a few bytes of noise.
                Unsafe.WriteUnaligned(ref at, random.Next());
                position += 1 + (int)(r >> 8 & 7);
            }
        }

        scratch[..PageSize].CopyTo(page);
    }

    private static int Put(ref byte output, int position, byte[] slots, byte[][] tokens, int index)
    {
        Unsafe.CopyBlockUnaligned(ref Unsafe.Add(ref output, position), ref slots[index * Slot], Slot);
        return tokens[index].Length;
    }

    private static byte[] ToSlots(byte[][] tokens)
    {
        var slots = new byte[tokens.Length * Slot];
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i].Length > Slot)
            {
                throw new InvalidOperationException($"Token '{Encoding.ASCII.GetString(tokens[i])}' is longer than a slot.");
            }

            tokens[i].CopyTo(slots, i * Slot);
        }

        return slots;
    }

    /// <summary>An index in [0, count) where low indexes are much more likely, as common words and opcodes are.</summary>
    private static int Skewed(ulong bits, int count) => (int)((bits & 0xFF) * (bits >> 8 & 0xFF) * (ulong)count >> 16);

    private static byte[][] BuildInstructions()
    {
        var random = new Xoshiro256StarStar(0x1A57_2C0D_E000_0001UL);
        var table = new byte[192][];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = new byte[1 + random.NextBelow(7)];
            for (var j = 0; j < table[i].Length; j++)
            {
                table[i][j] = (byte)random.Next();
            }
        }

        return table;
    }
}
