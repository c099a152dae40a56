/* TEST-ONLY stand-in for bcryptprimitives.dll, which Wine 8 lacks: Rust's
 * std imports ProcessPrng from it. Copied into the test Wine prefix only;
 * never shipped (on real Windows it would shadow the system DLL; a test
 * checks that the MSI does not contain it). */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
