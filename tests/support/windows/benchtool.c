/* Benchmark helper for benches/wine.rs, run inside Wine (built with mingw
 * by the bench, as tests/support/wine.rs builds wintool.c):
 *
 *   benchtool type KEYS EXPECTED ROUNDS PAUSE_MS OUT
 *       Shows a window titled "benchtool target" holding one plain
 *       multi-line EDIT control (no subclass work beyond time stamps: each
 *       message is handled the moment it arrives) and, ROUNDS times: empties
 *       it, gives it the focus, presses KEYS (e.g. "ctrl+alt+t") with one
 *       SendInput call and times with QueryPerformanceCounter: the press →
 *       the first WM_CHAR (or, for a paste, the first text), → the text
 *       holding as many UTF-16 units as EXPECTED (a UTF-8 file; its line
 *       breaks count as \r\n), or the last change when it never does (2 s
 *       without a change ends a round; 20 s without any text too). Then it
 *       waits PAUSE_MS so the tool's run can end before the next press.
 *       Prints one line per round:
 *         round N first_us=F last_us=L units=U complete=0|1 foreground=0|1
 *       and writes what the control held to OUT.N.txt (UTF-8, \n breaks).
 *   benchtool memory EXE
 *       Prints the Windows figures of the first process named EXE, as
 *       GetProcessMemoryInfo and GetProcessTimes report them under Wine:
 *         private_bytes=B working_set=B peak_working_set=B cpu_ms=M
 *
 * Exit 2 when a window, file or process is not there. */
#include <windows.h>
#include <psapi.h>
#include <tlhelp32.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

static LARGE_INTEGER frequency;
static LONGLONG pressed, first_char, first_text, last_change;
static LRESULT wanted_units, units_now;
static WNDPROC edit_proc;
static HWND edit;

static LONGLONG now(void)
{
    LARGE_INTEGER counter;
    QueryPerformanceCounter(&counter);
    return counter.QuadPart;
}

static LONGLONG micros(LONGLONG ticks)
{
    return ticks * 1000000 / frequency.QuadPart;
}

/* The EDIT control's own procedure, with time stamps around it. */
static LRESULT CALLBACK stamped_edit(HWND window, UINT message, WPARAM wparam, LPARAM lparam)
{
    LRESULT result;
    if (message == WM_CHAR && pressed && !first_char && wparam >= 0x20)
        first_char = now();
    result = CallWindowProcW(edit_proc, window, message, wparam, lparam);
    if (pressed) {
        LRESULT length = CallWindowProcW(edit_proc, window, WM_GETTEXTLENGTH, 0, 0);
        if (length != units_now) {
            units_now = length;
            last_change = now();
            if (!first_text && length > 0)
                first_text = last_change;
        }
    }
    return result;
}

static LRESULT CALLBACK frame(HWND window, UINT message, WPARAM wparam, LPARAM lparam)
{
    if (message == WM_SIZE && edit) {
        MoveWindow(edit, 0, 0, LOWORD(lparam), HIWORD(lparam), TRUE);
        return 0;
    }
    if (message == WM_SETFOCUS && edit) {
        SetFocus(edit);
        return 0;
    }
    if (message == WM_DESTROY) {
        PostQuitMessage(0);
        return 0;
    }
    return DefWindowProcW(window, message, wparam, lparam);
}

/* Handles whatever is queued, for up to `ms` (0: only what is there). */
static void pump(DWORD ms)
{
    LONGLONG until = now() + frequency.QuadPart * ms / 1000;
    MSG message;
    do {
        while (PeekMessageW(&message, NULL, 0, 0, PM_REMOVE)) {
            TranslateMessage(&message);
            DispatchMessageW(&message);
        }
        if (ms)
            MsgWaitForMultipleObjects(0, NULL, FALSE, 1, QS_ALLINPUT);
    } while (now() < until);
}

static WORD virtual_key(const wchar_t *name)
{
    if (!_wcsicmp(name, L"ctrl"))
        return VK_CONTROL;
    if (!_wcsicmp(name, L"alt"))
        return VK_MENU;
    if (!_wcsicmp(name, L"shift"))
        return VK_SHIFT;
    if (wcslen(name) == 1)
        return (WORD)towupper(name[0]);
    return 0;
}

/* Presses "mod+mod+key" with one SendInput call: downs, then ups reversed. */
static int press(const wchar_t *keys)
{
    INPUT inputs[16];
    WORD codes[8];
    int count = 0, i, n = 0;
    wchar_t copy[64], *part, *plus;
    wcsncpy(copy, keys, 63);
    copy[63] = 0;
    for (part = copy; part && count < 8; part = plus ? plus + 1 : NULL) {
        WORD code;
        plus = wcschr(part, L'+');
        if (plus)
            *plus = 0;
        code = virtual_key(part);
        if (!code)
            return 0;
        codes[count++] = code;
    }
    memset(inputs, 0, sizeof inputs);
    for (i = 0; i < count; i++) {
        inputs[n].type = INPUT_KEYBOARD;
        inputs[n].ki.wVk = codes[i];
        inputs[n].ki.wScan = (WORD)MapVirtualKeyW(codes[i], MAPVK_VK_TO_VSC);
        n++;
    }
    for (i = count - 1; i >= 0; i--) {
        inputs[n] = inputs[i];
        inputs[n].ki.dwFlags = KEYEVENTF_KEYUP;
        n++;
    }
    pressed = now();
    return SendInput(n, inputs, sizeof(INPUT)) == (UINT)n;
}

static wchar_t *read_utf8(const wchar_t *path, int *units)
{
    HANDLE file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    DWORD size, got;
    char *bytes;
    wchar_t *text;
    if (file == INVALID_HANDLE_VALUE)
        return NULL;
    size = GetFileSize(file, NULL);
    bytes = HeapAlloc(GetProcessHeap(), 0, size + 1);
    ReadFile(file, bytes, size, &got, NULL);
    CloseHandle(file);
    *units = MultiByteToWideChar(CP_UTF8, 0, bytes, (int)got, NULL, 0);
    text = HeapAlloc(GetProcessHeap(), 0, (*units + 1) * sizeof(wchar_t));
    MultiByteToWideChar(CP_UTF8, 0, bytes, (int)got, text, *units);
    text[*units] = 0;
    return text;
}

/* Writes the control's text to `path` as UTF-8 with \n line breaks. */
static void save_text(const wchar_t *path)
{
    int length = GetWindowTextLengthW(edit), size, i, j = 0;
    wchar_t *text = HeapAlloc(GetProcessHeap(), 0, (length + 1) * sizeof(wchar_t));
    char *bytes;
    DWORD written;
    HANDLE file;
    length = GetWindowTextW(edit, text, length + 1);
    for (i = 0; i < length; i++)
        if (!(text[i] == L'\r' && i + 1 < length && text[i + 1] == L'\n'))
            text[j++] = text[i];
    size = WideCharToMultiByte(CP_UTF8, 0, text, j, NULL, 0, NULL, NULL);
    bytes = HeapAlloc(GetProcessHeap(), 0, size + 1);
    WideCharToMultiByte(CP_UTF8, 0, text, j, bytes, size, NULL, NULL);
    file = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    WriteFile(file, bytes, size, &written, NULL);
    CloseHandle(file);
    HeapFree(GetProcessHeap(), 0, bytes);
    HeapFree(GetProcessHeap(), 0, text);
}

static void say(const char *line)
{
    DWORD written;
    WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), line, (DWORD)strlen(line), &written, NULL);
}

static int type_rounds(const wchar_t *keys, const wchar_t *expected, int rounds, int pause_ms,
                       const wchar_t *out)
{
    WNDCLASSW class = { 0 };
    HWND window;
    int units, i, round;
    wchar_t *text = read_utf8(expected, &units);
    if (!text)
        return 2;
    wanted_units = units;
    for (i = 0; i < units; i++)
        if (text[i] == L'\n')
            wanted_units++; /* the control holds \r\n */
    class.lpfnWndProc = frame;
    class.hInstance = GetModuleHandleW(NULL);
    class.hbrBackground = (HBRUSH)(COLOR_WINDOW + 1);
    class.lpszClassName = L"BenchtoolTarget";
    RegisterClassW(&class);
    window = CreateWindowExW(0, L"BenchtoolTarget", L"benchtool target",
                             WS_OVERLAPPEDWINDOW | WS_VISIBLE, 50, 50, 700, 500, NULL, NULL,
                             class.hInstance, NULL);
    edit = CreateWindowExW(0, L"Edit", L"",
                           WS_CHILD | WS_VISIBLE | WS_VSCROLL | ES_MULTILINE | ES_WANTRETURN
                               | ES_AUTOVSCROLL,
                           0, 0, 700, 500, window, NULL, class.hInstance, NULL);
    if (!window || !edit)
        return 2;
    SendMessageW(edit, EM_SETLIMITTEXT, 0, 0);
    edit_proc = (WNDPROC)SetWindowLongPtrW(edit, GWLP_WNDPROC, (LONG_PTR)stamped_edit);
    for (round = 1; round <= rounds; round++) {
        char line[200];
        wchar_t name[MAX_PATH];
        int foreground;
        LONGLONG waited;
        SetWindowTextW(edit, L"");
        SetForegroundWindow(window);
        SetFocus(edit);
        pump(round == 1 ? 1000 : 200);
        foreground = GetForegroundWindow() == window && GetFocus() == edit;
        first_char = first_text = last_change = 0;
        units_now = 0;
        if (!press(keys))
            return 2;
        for (;;) {
            pump(0);
            if (units_now >= wanted_units)
                break;
            waited = now() - (last_change ? last_change : pressed);
            if (waited > frequency.QuadPart * (last_change ? 2 : 20))
                break;
            MsgWaitForMultipleObjects(0, NULL, FALSE, 5, QS_ALLINPUT);
        }
        _snprintf(line, sizeof line,
                  "round %d first_us=%lld last_us=%lld units=%ld complete=%d foreground=%d\n",
                  round, first_char ? micros(first_char - pressed) : (first_text ? micros(first_text - pressed) : -1),
                  last_change ? micros(last_change - pressed) : -1, (long)units_now,
                  units_now == wanted_units, foreground);
        say(line);
        _snwprintf(name, MAX_PATH, L"%ls.%d.txt", out, round);
        save_text(name);
        pressed = 0;
        pump(pause_ms);
    }
    DestroyWindow(window);
    return 0;
}

static int memory(const wchar_t *exe)
{
    HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    PROCESSENTRY32W entry = { sizeof entry };
    BOOL more;
    for (more = Process32FirstW(snapshot, &entry); more; more = Process32NextW(snapshot, &entry)) {
        PROCESS_MEMORY_COUNTERS_EX counters = { sizeof counters };
        FILETIME created, exited, kernel, user;
        ULARGE_INTEGER k, u;
        HANDLE process;
        char line[300];
        if (_wcsicmp(entry.szExeFile, exe))
            continue;
        process = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, entry.th32ProcessID);
        if (!process || !GetProcessMemoryInfo(process, (PROCESS_MEMORY_COUNTERS *)&counters, sizeof counters))
            return 2;
        GetProcessTimes(process, &created, &exited, &kernel, &user);
        k.LowPart = kernel.dwLowDateTime;
        k.HighPart = kernel.dwHighDateTime;
        u.LowPart = user.dwLowDateTime;
        u.HighPart = user.dwHighDateTime;
        _snprintf(line, sizeof line,
                  "private_bytes=%llu working_set=%llu peak_working_set=%llu cpu_ms=%llu\n",
                  (unsigned long long)counters.PrivateUsage,
                  (unsigned long long)counters.WorkingSetSize,
                  (unsigned long long)counters.PeakWorkingSetSize,
                  (unsigned long long)((k.QuadPart + u.QuadPart) / 10000));
        say(line);
        CloseHandle(process);
        return 0;
    }
    return 2;
}

int wmain(int argc, wchar_t **argv)
{
    QueryPerformanceFrequency(&frequency);
    if (argc >= 7 && wcscmp(argv[1], L"type") == 0)
        return type_rounds(argv[2], argv[3], _wtoi(argv[4]), _wtoi(argv[5]), argv[6]);
    if (argc >= 3 && wcscmp(argv[1], L"memory") == 0)
        return memory(argv[2]);
    fprintf(stderr, "usage: benchtool type KEYS EXPECTED ROUNDS PAUSE_MS OUT | memory EXE\n");
    return 1;
}
