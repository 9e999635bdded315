/* Test-only stand-in for Windows' bcryptprimitives.dll, which Wine 8 lacks:
 * Rust's std (and getrandom) take their random bytes from its ProcessPrng.
 * This one draws them from RtlGenRandom (advapi32's SystemFunction036),
 * which Wine has. Installed into the test Wine prefix only, never shipped. */
#include <windows.h>

#define RtlGenRandom SystemFunction036
BOOLEAN WINAPI RtlGenRandom(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!RtlGenRandom(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
