/* Test tooling, not part of netplay: Wine 8 has no bcryptprimitives.dll,
 * which Rust's std on windows-gnu imports for ProcessPrng (its source of
 * random numbers, used by HashMap). This stand-in, placed next to
 * netplay.exe, exports ProcessPrng and asks bcrypt.dll, which Wine has,
 * for the same bytes. Windows 10 and later ship the real DLL.
 *
 * x86_64-w64-mingw32-gcc -shared -o bcryptprimitives.dll processprng.c -lbcrypt
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
