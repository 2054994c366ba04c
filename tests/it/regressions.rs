//! Bugs found by the property tests and the fuzzers, one test each.

use chaff::{ModelSet, SiteModel, SiteModelBuilder};

/// Two pages sharing lines: the model has lines, prefixes and templates.
fn model() -> SiteModel {
    SiteModelBuilder::new().build([
        "Startseite\nDer Stadtrat hat den Haushalt beschlossen.\nEs werden alle Kommentare moderiert!\n",
        "Startseite\nDas Hochwasser hat die Altstadt überflutet.\nEs werden alle Kommentare moderiert!\n",
    ])
}

/// `save` wrote the model's maps with integer keys (as JSON strings) beside
/// `format` and `version`, and `load` read them back through a
/// `#[serde(flatten)]` envelope, which cannot parse integer keys from
/// strings: every model with a repeated line failed to load with
/// `CorruptModel("invalid type: string \"…\", expected u64")`.
#[test]
fn model_with_lines_survives_save_and_load() {
    let model = model();
    assert!(model.templates().count() > 0);
    let mut file = Vec::new();
    model.save(&mut file).unwrap();
    assert_eq!(SiteModel::load(&file[..]).unwrap(), model);

    let mut set = ModelSet::new();
    set.insert("example.org", model);
    let mut file = Vec::new();
    set.save(&mut file).unwrap();
    assert_eq!(ModelSet::load(&file[..]).unwrap(), set);
}

/// Folding lowercased only `char::is_uppercase` letters, so the 31
/// titlecase letters (`ǅ`, `ᾈ`, …) kept their case: `ǅemal` and `ǆemal`
/// had different fingerprints although the docs promise full Unicode
/// lowercase.
#[test]
fn titlecase_letters_fold_to_lowercase() {
    assert_eq!(chaff::normalize("ǅemal".as_bytes()), "ǆemal");
    assert_eq!(chaff::normalize("ǄEMAL".as_bytes()), "ǆemal");
    assert_eq!(
        chaff::Fingerprint::of("ǅemal".as_bytes()),
        chaff::Fingerprint::of("ǆemal".as_bytes())
    );
    assert_eq!(chaff::normalize("ᾈ".as_bytes()), "ᾀ");
}

/// ASCII control characters separate words, as documented.
#[test]
fn ascii_control_characters_separate_words() {
    assert_eq!(chaff::normalize(b"a\0b\x1bc\x7fd"), "a b c d");
    // Other control characters are kept like symbols.
    assert_eq!(chaff::normalize("a\u{85}b\u{80}c".as_bytes()), "a b\u{80}c");
}
