namespace MailRecovery.Core.Snapshots;

/// <summary>
/// User and group names of numeric ids, read once from /etc/passwd and /etc/group, for the manifest and the tar
/// headers (an admin reading <c>tar -tv</c> sees names). Ids without a local name (LDAP, a removed user) keep an
/// empty name; restore and check go by the numeric ids, which are what the file system stores.
/// </summary>
public sealed class UnixAccounts
{
    private readonly Dictionary<uint, string> users;
    private readonly Dictionary<uint, string> groups;

    private UnixAccounts(Dictionary<uint, string> users, Dictionary<uint, string> groups)
    {
        this.users = users;
        this.groups = groups;
    }

    public static UnixAccounts Load() => new(Read("/etc/passwd"), Read("/etc/group"));

    public string User(uint uid) => users.GetValueOrDefault(uid, string.Empty);

    public string Group(uint gid) => groups.GetValueOrDefault(gid, string.Empty);

    /// <summary>name:x:id:… lines; the first name of an id wins, as getpwuid(3) returns it.</summary>
    private static Dictionary<uint, string> Read(string path)
    {
        var names = new Dictionary<uint, string>();
        if (!File.Exists(path))
            return names;
        foreach (string line in File.ReadLines(path))
        {
            string[] fields = line.Split(':');
            if (fields.Length > 2 && uint.TryParse(fields[2], System.Globalization.CultureInfo.InvariantCulture, out uint id))
                names.TryAdd(id, fields[0]);
        }

        return names;
    }
}
