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
