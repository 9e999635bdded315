//! Running a command as rolectl's child and ending with its status, where
//! there is no `exec()` (Windows). Ctrl-C and Ctrl-Break reach every process
//! of the console, the child too, so rolectl only has to outlive them.

/// From now on, Ctrl-C and Ctrl-Break leave rolectl running: the child on
/// the same console gets them itself and decides. A handler, not the
/// ignore flag, because the flag would be inherited by the child.
#[cfg(windows)]
pub fn outlive_console_interrupts() -> Result<(), String> {
    use windows_sys::core::BOOL;
    use windows_sys::Win32::System::Console::{
        SetConsoleCtrlHandler, CTRL_BREAK_EVENT, CTRL_C_EVENT,
    };

    unsafe extern "system" fn handler(event: u32) -> BOOL {
        BOOL::from(event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT)
    }
    // SAFETY: registers a function that lives as long as the process and
    // touches no memory.
    if unsafe { SetConsoleCtrlHandler(Some(handler), 1) } == 0 {
        return Err(std::io::Error::last_os_error().to_string());
    }
    Ok(())
}

/// The status rolectl ends with for a child's exit status: its code (all
/// 32 bits on Windows), or 128 + N when signal N ended it (Unix).
pub fn exit_code(status: std::process::ExitStatus) -> i32 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    status.code().unwrap_or(1)
}
