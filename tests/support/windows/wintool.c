/* Test helper for the Wine end-to-end tests, run inside Wine:
 *   wintool text TITLE        the text of the Edit control in the first
 *                             window whose title contains TITLE (UTF-8)
 *   wintool set-clipboard T   puts T on the clipboard
 *   wintool get-clipboard     prints the clipboard's text (UTF-8)
 *   wintool windows           lists top-level windows: title|class
 *   wintool watch TITLE N     waits for the Edit control of the window whose
 *                             title contains TITLE, prints "ready", then
 *                             "first" when it holds text and "done" when it
 *                             holds N UTF-16 units (polled every ms; for
 *                             benchmarks), "timeout" after 3 minutes
 *   wintool close TITLE       posts WM_CLOSE to the top-level window titled
 *                             exactly TITLE, hidden ones too
 *   wintool window TITLE      shows a plain window titled TITLE that takes
 *                             keys and does nothing with them (never pastes)
 *                             until it is closed
 *   wintool remote TITLE LOG  shows a window of class TscShellContainerClass
 *                             (Remote Desktop's) titled TITLE with an Edit
 *                             control, and writes every key event a
 *                             low-level keyboard hook sees to LOG, one line
 *                             each: "vk=E7 scan=0000 flags=10 injected up"
 *                             (first line "layout=04060406" and after the
 *                             hook is in "hooked"); read the text back with
 *                             `wintool text TITLE`
 * Output is written as raw bytes (no CRLF translation). Exit 2 when the
 * window, control or text is not there. */
#include <windows.h>
#include <stdio.h>
#include <string.h>

static void put_utf8(const wchar_t *text, int length)
{
    int size = WideCharToMultiByte(CP_UTF8, 0, text, length, NULL, 0, NULL, NULL);
    char *bytes = HeapAlloc(GetProcessHeap(), 0, size + 1);
    DWORD written;
    WideCharToMultiByte(CP_UTF8, 0, text, length, bytes, size, NULL, NULL);
    WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), bytes, size, &written, NULL);
}

static LRESULT CALLBACK plain_window(HWND window, UINT message, WPARAM wparam, LPARAM lparam)
{
    if (message == WM_DESTROY) {
        PostQuitMessage(0);
        return 0;
    }
    return DefWindowProcW(window, message, wparam, lparam);
}

struct search { const wchar_t *needle; HWND found; };

static BOOL CALLBACK find_title(HWND window, LPARAM data)
{
    struct search *search = (struct search *)data;
    wchar_t title[512];
    GetWindowTextW(window, title, 512);
    if (IsWindowVisible(window) && wcsstr(title, search->needle)) {
        search->found = window;
        return FALSE;
    }
    return TRUE;
}

static BOOL CALLBACK list_window(HWND window, LPARAM data)
{
    wchar_t title[512], class[256], line[800];
    (void)data;
    if (!IsWindowVisible(window))
        return TRUE;
    GetWindowTextW(window, title, 512);
    GetClassNameW(window, class, 256);
    _snwprintf(line, 800, L"%ls|%ls\n", title, class);
    put_utf8(line, (int)wcslen(line));
    return TRUE;
}

/* wintool remote: the stand-in for a Remote Desktop client's window. */
static FILE *remote_log;

static LRESULT CALLBACK remote_hook(int code, WPARAM wparam, LPARAM lparam)
{
    if (code == HC_ACTION) {
        KBDLLHOOKSTRUCT *key = (KBDLLHOOKSTRUCT *)lparam;
        fprintf(remote_log, "vk=%02lX scan=%04lX flags=%02lX%s%s%s\n", key->vkCode,
                key->scanCode, key->flags, (key->flags & LLKHF_INJECTED) ? " injected" : "",
                (key->flags & LLKHF_EXTENDED) ? " extended" : "",
                (key->flags & LLKHF_UP) ? " up" : " down");
        fflush(remote_log);
    }
    return CallNextHookEx(NULL, code, wparam, lparam);
}

static LRESULT CALLBACK remote_window_proc(HWND window, UINT message, WPARAM wparam, LPARAM lparam)
{
    HWND edit = GetWindow(window, GW_CHILD);
    if (message == WM_SIZE && edit)
        MoveWindow(edit, 0, 0, LOWORD(lparam), HIWORD(lparam), TRUE);
    if ((message == WM_SETFOCUS || (message == WM_ACTIVATE && LOWORD(wparam))) && edit)
        SetFocus(edit);
    if (message == WM_DESTROY) {
        PostQuitMessage(0);
        return 0;
    }
    return DefWindowProcW(window, message, wparam, lparam);
}

static int remote_window(const wchar_t *title, const wchar_t *log)
{
    WNDCLASSW class = { 0 };
    MSG message;
    HWND window, edit;
    remote_log = _wfopen(log, L"w");
    if (!remote_log)
        return 2;
    fprintf(remote_log, "layout=%08lX\n", (unsigned long)(ULONG_PTR)GetKeyboardLayout(0));
    fflush(remote_log);
    class.lpfnWndProc = remote_window_proc;
    class.hInstance = GetModuleHandleW(NULL);
    class.hbrBackground = (HBRUSH)(COLOR_WINDOW + 1);
    class.lpszClassName = L"TscShellContainerClass";
    RegisterClassW(&class);
    window = CreateWindowExW(0, L"TscShellContainerClass", title, WS_OVERLAPPEDWINDOW | WS_VISIBLE,
                             100, 100, 500, 300, NULL, NULL, class.hInstance, NULL);
    if (!window)
        return 2;
    edit = CreateWindowExW(0, L"Edit", L"", WS_CHILD | WS_VISIBLE | ES_MULTILINE | ES_WANTRETURN |
                           ES_AUTOVSCROLL | WS_VSCROLL, 0, 0, 500, 300, window, NULL,
                           class.hInstance, NULL);
    if (!edit || !SetWindowsHookExW(WH_KEYBOARD_LL, remote_hook, class.hInstance, 0))
        return 2;
    fprintf(remote_log, "hooked\n");
    fflush(remote_log);
    SetForegroundWindow(window);
    SetFocus(edit);
    while (GetMessageW(&message, NULL, 0, 0) > 0) {
        TranslateMessage(&message);
        DispatchMessageW(&message);
    }
    fclose(remote_log);
    return 0;
}

int wmain(int argc, wchar_t **argv)
{
    if (argc >= 3 && wcscmp(argv[1], L"text") == 0) {
        struct search search = { argv[2], NULL };
        HWND edit;
        LRESULT length;
        wchar_t *text;
        EnumWindows(find_title, (LPARAM)&search);
        if (!search.found)
            return 2;
        edit = FindWindowExW(search.found, NULL, L"Edit", NULL);
        if (!edit)
            return 2;
        length = SendMessageW(edit, WM_GETTEXTLENGTH, 0, 0);
        text = HeapAlloc(GetProcessHeap(), 0, (length + 1) * sizeof(wchar_t));
        length = SendMessageW(edit, WM_GETTEXT, length + 1, (LPARAM)text);
        put_utf8(text, (int)length);
        return 0;
    }
    if (argc >= 3 && wcscmp(argv[1], L"set-clipboard") == 0) {
        wchar_t *text = argv[2];
        SIZE_T bytes = (wcslen(text) + 1) * sizeof(wchar_t);
        HGLOBAL memory = GlobalAlloc(GMEM_MOVEABLE, bytes);
        memcpy(GlobalLock(memory), text, bytes);
        GlobalUnlock(memory);
        if (!OpenClipboard(NULL))
            return 2;
        EmptyClipboard();
        SetClipboardData(CF_UNICODETEXT, memory);
        CloseClipboard();
        return 0;
    }
    if (argc >= 2 && wcscmp(argv[1], L"get-clipboard") == 0) {
        HANDLE data;
        wchar_t *text;
        if (!OpenClipboard(NULL))
            return 2;
        data = GetClipboardData(CF_UNICODETEXT);
        if (!data) {
            CloseClipboard();
            return 2;
        }
        text = GlobalLock(data);
        put_utf8(text, (int)wcslen(text));
        GlobalUnlock(data);
        CloseClipboard();
        return 0;
    }
    if (argc >= 2 && wcscmp(argv[1], L"foreground") == 0) {
        wchar_t title[512];
        if (!GetWindowTextW(GetForegroundWindow(), title, 512))
            return 1;
        put_utf8(title, (int)wcslen(title));
        return 0;
    }
    if (argc >= 2 && wcscmp(argv[1], L"windows") == 0) {
        EnumWindows(list_window, 0);
        return 0;
    }
    if (argc >= 4 && wcscmp(argv[1], L"watch") == 0) {
        struct search search = { argv[2], NULL };
        LRESULT wanted = _wtoi(argv[3]);
        DWORD start;
        HWND edit;
        int first = 0;
        EnumWindows(find_title, (LPARAM)&search);
        if (!search.found)
            return 2;
        edit = FindWindowExW(search.found, NULL, L"Edit", NULL);
        if (!edit)
            return 2;
        put_utf8(L"ready\n", 6);
        start = GetTickCount();
        for (;;) {
            LRESULT length = SendMessageW(edit, WM_GETTEXTLENGTH, 0, 0);
            if (!first && length > 0) {
                put_utf8(L"first\n", 6);
                first = 1;
            }
            if (length >= wanted) {
                put_utf8(L"done\n", 5);
                return 0;
            }
            if (GetTickCount() - start > 180000) {
                put_utf8(L"timeout\n", 8);
                return 3;
            }
            Sleep(1);
        }
    }
    if (argc >= 3 && wcscmp(argv[1], L"close") == 0) {
        HWND window = FindWindowW(NULL, argv[2]);
        if (!window || !PostMessageW(window, WM_CLOSE, 0, 0))
            return 2;
        return 0;
    }
    if (argc >= 3 && wcscmp(argv[1], L"window") == 0) {
        WNDCLASSW class = { 0 };
        MSG message;
        HWND window;
        class.lpfnWndProc = plain_window;
        class.hInstance = GetModuleHandleW(NULL);
        class.hbrBackground = (HBRUSH)(COLOR_WINDOW + 1);
        class.lpszClassName = L"WintoolPlain";
        RegisterClassW(&class);
        window = CreateWindowExW(0, L"WintoolPlain", argv[2], WS_OVERLAPPEDWINDOW | WS_VISIBLE,
                                 100, 100, 400, 200, NULL, NULL, class.hInstance, NULL);
        if (!window)
            return 2;
        SetForegroundWindow(window);
        while (GetMessageW(&message, NULL, 0, 0) > 0) {
            TranslateMessage(&message);
            DispatchMessageW(&message);
        }
        return 0;
    }
    if (argc >= 4 && wcscmp(argv[1], L"remote") == 0)
        return remote_window(argv[2], argv[3]);
    fprintf(stderr, "usage: wintool text TITLE | set-clipboard TEXT | get-clipboard | windows | watch TITLE N | close TITLE | window TITLE | remote TITLE LOG\n");
    return 1;
}
