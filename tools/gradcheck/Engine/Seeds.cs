namespace FastBackprop.GradCheck.Engine;

/// <summary>Seeds derived from the run's seed and a name, the same in every process (string.GetHashCode is not).</summary>
public static class Seeds
{
    public static int For(int seed, string name)
    {
        int hash = seed;
        foreach (char c in name)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }
}
