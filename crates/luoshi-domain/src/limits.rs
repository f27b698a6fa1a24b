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
