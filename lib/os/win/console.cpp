#include "os/win/console.h"

#include <windows.h>

#include <mutex>

namespace supd::os::win {

void ensure_console_for_children() {
  static std::once_flag once;
  std::call_once(once, [] {
    // GetConsoleCP() is 0 without a console, and also with Wine's placeholder console for
    // programs started without a terminal, which cannot send control events either.
    if (GetConsoleCP() != 0) return;
    const HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    const HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    const HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
    // AllocConsole refuses while a placeholder console is attached: let go of it first.
    FreeConsole();
    if (!AllocConsole()) return;
    if (HWND window = GetConsoleWindow()) ShowWindow(window, SW_HIDE);
    SetStdHandle(STD_INPUT_HANDLE, in);
    SetStdHandle(STD_OUTPUT_HANDLE, out);
    SetStdHandle(STD_ERROR_HANDLE, err);
  });
}

}  // namespace supd::os::win
