using System.Text;

namespace MmSim.Twin;

/// <summary>Writes a "newc" cpio archive (the initramfs format the kernel unpacks: a 110-byte ASCII header per
/// entry, name and data each padded to 4 bytes, ended by TRAILER!!!). Uncompressed: the kernel takes it as is.</summary>
public sealed class CpioWriter(Stream output)
{
    private int _ino = 1;

    public void Directory(string path, int mode = 0x41ED) => Entry(path, mode, [], 0, 0);

    public void File(string path, byte[] data, int mode = 0x81A4) => Entry(path, mode, data, 0, 0);

    public void Executable(string path, byte[] data) => Entry(path, 0x81ED, data, 0, 0);

    public void Symlink(string path, string target) => Entry(path, 0xA1FF, Encoding.UTF8.GetBytes(target), 0, 0);

    public void CharDevice(string path, int major, int minor, int perm = 0x180) => Entry(path, 0x2000 | perm, [], major, minor);

    public void Trailer()
    {
        Entry("TRAILER!!!", 0, [], 0, 0, nlink: 1, ino: 0);
        output.Flush();
    }

    private void Entry(string path, int mode, byte[] data, int rdevMajor, int rdevMinor, int nlink = -1, int ino = -1)
    {
        byte[] name = Encoding.UTF8.GetBytes(path.TrimStart('/') + "\0");
        if (nlink < 0) nlink = (mode & 0xF000) == 0x4000 ? 2 : 1;
        if (ino < 0) ino = _ino++;
        var h = new StringBuilder("070701");
        foreach (long v in new long[] { ino, mode, 0, 0, nlink, 0, data.Length, 0, 0, rdevMajor, rdevMinor, name.Length, 0 })
            h.Append(v.ToString("X8"));
        output.Write(Encoding.ASCII.GetBytes(h.ToString()));
        output.Write(name);
        Pad(110 + name.Length);
        output.Write(data);
        Pad(data.Length);
    }

    private void Pad(long n)
    {
        int pad = (int)((4 - n % 4) % 4);
        for (int i = 0; i < pad; i++) output.WriteByte(0);
    }
}
