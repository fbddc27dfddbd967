using System.Runtime.InteropServices;

namespace WebhookSender.LoadTest;

/// <summary>
/// The context switches of this process so far, all threads (Linux and macOS <c>getrusage</c>; 0 elsewhere). On a small
/// VM a switch is expensive (its return path was a quarter of the profile), so switches per delivery say how often the
/// sender parks and wakes threads per message, beside the CPU they cost.
/// </summary>
internal static class ContextSwitches
{
    public static long Total()
    {
        if (OperatingSystem.IsWindows())
        {
            return 0;
        }

        return getrusage(RUsageSelf, out var usage) == 0 ? usage.VoluntarySwitches + usage.InvoluntarySwitches : 0;
    }

    private const int RUsageSelf = 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out RUsage usage);

    // struct rusage on 64-bit Unix: two timevals, then fourteen longs; the switches are the last two.
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxResident, SharedText, UnsharedData, UnsharedStack, MinorFaults, MajorFaults, Swaps, BlockIn, BlockOut, MessagesSent, MessagesReceived, Signals;
        public long VoluntarySwitches, InvoluntarySwitches;
    }
}
