//! How long any stored text may be, one rule for every field: names (units, aliases, people) and
//! titles at most 200 characters, bodies (minutes, notes, narratives) at most 100,000. A longer
//! value is refused with the field's name, before anything is written.

/// Names of units, aliases and people.
pub const NAME: usize = 200;
/// Titles of items, meetings and tasks.
pub const TITLE: usize = 200;
/// A reference line (where an item came from).
pub const REFERENCE: usize = 1_000;
/// Bodies: minutes, notes, narratives.
pub const BODY: usize = 100_000;

/// Nesting of a JSON body (arrays and objects within each other).
pub const JSON_DEPTH: usize = 32;
/// Uploads (imports, attachments, the report API with its files) read at once by one process;
/// more wait their turn, so concurrent large bodies cannot take the memory.
pub const CONCURRENT_UPLOADS: usize = 4;

/// The deepest nesting of arrays and objects in JSON text (brackets inside strings do not
/// count). Run before parsing, so a deeply nested body costs one pass and no recursion.
pub fn json_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// `value` within `max` characters, or the refusal naming `field` (Chinese).
pub fn check_len(field: &str, value: &str, max: usize) -> Result<(), String> {
    let n = value.chars().count();
    if n > max {
        Err(format!("{field}不能超过 {max} 字（现为 {n} 字）"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_depth_counts_nesting_outside_strings() {
        let table: &[(&str, usize)] = &[
            ("1", 0),
            ("{}", 1),
            (r#"{"a":[1,{"b":[]}]}"#, 4),
            (r#"{"a":"[[[[{{{{"}"#, 1),
            (r#"{"a":"\"[["}"#, 1),
            (r#"[[],[],[[]]]"#, 3),
        ];
        for (text, want) in table {
            assert_eq!(json_depth(text.as_bytes()), *want, "{text}");
        }
        assert_eq!(json_depth("[".repeat(10_000).as_bytes()), 10_000);
    }

    #[test]
    fn every_field_has_a_bound_named_in_the_refusal() {
        let table = [
            ("单位名称", "自治区商务厅".to_string(), NAME, None),
            ("单位名称", "厅".repeat(NAME), NAME, None),
            (
                "单位名称",
                "厅".repeat(NAME + 1),
                NAME,
                Some("单位名称不能超过 200 字（现为 201 字）"),
            ),
            (
                "来源说明",
                "x".repeat(REFERENCE + 5),
                REFERENCE,
                Some("来源说明不能超过 1000 字（现为 1005 字）"),
            ),
        ];
        for (field, value, max, want) in table {
            assert_eq!(check_len(field, &value, max).err().as_deref(), want);
        }
    }
}
