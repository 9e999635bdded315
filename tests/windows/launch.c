/* Test-only launcher: sets environment variables inside Windows, then runs
 * one command line and exits with its status. Wine sets USERPROFILE itself
 * and drops HOME for Windows programs, so a test that wants its own home
 * sets them here.
 *
 *   launch.exe NAME=VALUE... -- "COMMAND LINE"
 *
 * NAME= (empty value) removes the variable. The command line is one
 * argument, quoted by the caller as Windows programs parse it. */
#include <windows.h>
#include <stdio.h>
#include <wchar.h>

int wmain(int argc, wchar_t **argv)
{
    int i = 1;
    for (; i < argc && wcscmp(argv[i], L"--") != 0; i++) {
        wchar_t *eq = wcschr(argv[i], L'=');
        if (eq == NULL) {
            fwprintf(stderr, L"launch: %ls is not NAME=VALUE\n", argv[i]);
            return 125;
        }
        *eq = L'\0';
        SetEnvironmentVariableW(argv[i], eq[1] ? eq + 1 : NULL);
    }
    if (i + 2 != argc) {
        fwprintf(stderr, L"launch: usage: launch.exe NAME=VALUE... -- \"COMMAND LINE\"\n");
        return 125;
    }
    STARTUPINFOW si = {0};
    PROCESS_INFORMATION pi;
    si.cb = sizeof si;
    if (!CreateProcessW(NULL, argv[i + 1], NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        fwprintf(stderr, L"launch: %ls could not be started (error %lu)\n", argv[i + 1],
                 GetLastError());
        return 126;
    }
    WaitForSingleObject(pi.hProcess, INFINITE);
    DWORD status = 1;
    GetExitCodeProcess(pi.hProcess, &status);
    return (int)status;
}
