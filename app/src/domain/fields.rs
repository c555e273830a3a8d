//! Validation messages keyed by field name, as the contract's `fields`, and the helper that
//! collects them while parsing every field of a form.

use std::collections::BTreeMap;

/// Messages keyed by field name (`name`, `email`, `password`).
pub type FieldErrors = BTreeMap<String, String>;

/// The value, or its error's message recorded under `key`.
pub(crate) fn field<T, E: std::fmt::Display>(
    errors: &mut FieldErrors,
    key: &str,
    parsed: Result<T, E>,
) -> Option<T> {
    parsed
        .map_err(|e| errors.insert(key.into(), e.to_string()))
        .ok()
}

/// `Ok(())` when nothing was recorded.
pub(crate) fn none_of(errors: FieldErrors) -> Result<(), FieldErrors> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
