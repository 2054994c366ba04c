//! Bugs found by the property tests and the fuzzers, one test each.

use dechaff::{ModelSet, SiteModel, SiteModelBuilder};

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

/// The learner samples pages by a hash of their line fingerprints, so two
/// pages that differ only in case (or digits, or spacing) share a key. The
/// sample kept whichever of them came first, and the region statistics
/// taken from the sample differ between them: learning depended on page
/// order. Now the smallest bytes win.
#[test]
fn learning_ignores_order_of_pages_that_fold_the_same() {
    let a = "Startseite\n- Politik\nbeschlossen die Haushalt Debatte naïve wtü beschlossen?\nEs werden alle Kommentare moderiert!\n";
    let shouted = a.to_uppercase();
    let b = "Startseite\n- Politik\nDas Hochwasser hat in der Nacht mehrere Straßen der Altstadt überflutet, sagte die Feuerwehr.\nEs werden alle Kommentare moderiert!\n";
    for sample in [1, 2, 64] {
        let mut builder = SiteModelBuilder::new();
        builder.sample_pages(sample);
        let x = builder.build([a, shouted.as_str(), b]);
        let y = builder.build([shouted.as_str(), a, b]);
        assert_eq!(x.duplicate_pages(), 1);
        assert_eq!(x, y, "sample_pages({sample})");
    }
}

/// Folding lowercased only `char::is_uppercase` letters, so the 31
/// titlecase letters (`ǅ`, `ᾈ`, …) kept their case: `ǅemal` and `ǆemal`
/// had different fingerprints although the docs promise full Unicode
/// lowercase.
#[test]
fn titlecase_letters_fold_to_lowercase() {
    assert_eq!(dechaff::normalize("ǅemal".as_bytes()), "ǆemal");
    assert_eq!(dechaff::normalize("ǄEMAL".as_bytes()), "ǆemal");
    assert_eq!(
        dechaff::Fingerprint::of("ǅemal".as_bytes()),
        dechaff::Fingerprint::of("ǆemal".as_bytes())
    );
    assert_eq!(dechaff::normalize("ᾈ".as_bytes()), "ᾀ");
}

/// ASCII control characters separate words, as documented.
#[test]
fn ascii_control_characters_separate_words() {
    assert_eq!(dechaff::normalize(b"a\0b\x1bc\x7fd"), "a b c d");
    // Other control characters are kept like symbols.
    assert_eq!(
        dechaff::normalize("a\u{85}b\u{80}c".as_bytes()),
        "a b\u{80}c"
    );
}

/// JSON files saved before the rename from `chaff` name their format
/// `chaff-site-model` / `chaff-model-set`; they still load, and a file of
/// the other kind is still refused.
#[test]
fn models_saved_under_the_old_name_still_load() {
    let model = model();
    let mut file = Vec::new();
    model.save_json(&mut file).unwrap();
    let old = String::from_utf8(file).unwrap().replacen(
        "\"dechaff-site-model\"",
        "\"chaff-site-model\"",
        1,
    );
    assert!(old.contains("\"chaff-site-model\""));
    assert_eq!(SiteModel::load(old.as_bytes()).unwrap(), model);
    assert!(ModelSet::load(old.as_bytes()).is_err());

    let mut set = ModelSet::new();
    set.insert("example.org", model);
    let mut file = Vec::new();
    set.save_json(&mut file).unwrap();
    let old = String::from_utf8(file).unwrap().replacen(
        "\"dechaff-model-set\"",
        "\"chaff-model-set\"",
        1,
    );
    assert!(old.contains("\"chaff-model-set\""));
    assert_eq!(ModelSet::load(old.as_bytes()).unwrap(), set);
}
