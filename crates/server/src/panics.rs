//! Contained panics: a panic in one request, job attempt or write is caught where that unit
//! of work starts, logged with what it belonged to, counted
//! ([`crate::metrics::panic_caught`]), and fails that unit alone.

use std::any::Any;

/// The message of a caught panic (`panic!("...")` gives a `&str` or a `String`), or a
/// placeholder when it carries something else.
pub(crate) fn message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_message_is_read_from_either_string_type() {
        let literal = std::panic::catch_unwind(|| panic!("literal")).unwrap_err();
        assert_eq!(message(&*literal), "literal");
        let formatted = std::panic::catch_unwind(|| panic!("{}", 42)).unwrap_err();
        assert_eq!(message(&*formatted), "42");
        let other = std::panic::catch_unwind(|| std::panic::panic_any(7_u8)).unwrap_err();
        assert_eq!(message(&*other), "(no message)");
    }
}
