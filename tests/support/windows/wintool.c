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
    fprintf(stderr, "usage: wintool text TITLE | set-clipboard TEXT | get-clipboard | windows | watch TITLE N | close TITLE | window TITLE\n");
    return 1;
}
