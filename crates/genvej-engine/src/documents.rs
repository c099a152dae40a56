//! Merging downloaded PDFs (e.g. a citizen's progress reports) into one
//! document, every page of every input in order. Uses lopdf; a download
//! that is not a readable PDF is reported by its name, never merged
//! silently.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Object, ObjectId};

/// A downloaded PDF and the name to report it by.
pub struct NamedPdf {
    pub name: String,
    pub bytes: Vec<u8>,
}

pub use crate::messages::DocumentError;

/// Page attributes a page may inherit from its page tree; they are copied
/// onto each page, because the inputs' page trees are replaced.
const INHERITED: &[&[u8]] = &[b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

/// One PDF with the pages of `parts` in order; returns it and its page count.
pub fn merge(parts: &[NamedPdf]) -> Result<(Vec<u8>, usize), DocumentError> {
    if parts.is_empty() {
        return Err(DocumentError::Nothing);
    }
    let mut next_id = 1;
    let mut pages: Vec<ObjectId> = Vec::new();
    let mut objects: BTreeMap<ObjectId, Object> = BTreeMap::new();
    for part in parts {
        let mut doc = Document::load_mem(&part.bytes).map_err(|e| DocumentError::NotPdf {
            name: part.name.clone(),
            reason: e.to_string(),
        })?;
        doc.renumber_objects_with(next_id);
        next_id = doc.max_id + 1;
        let own_pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
        if own_pages.is_empty() {
            return Err(DocumentError::NoPages {
                name: part.name.clone(),
            });
        }
        for page in &own_pages {
            inherit_attributes(&mut doc, *page);
        }
        // The inputs' catalogs and page-tree nodes are left behind; their
        // pages get the new tree below.
        let dropped: Vec<ObjectId> = doc
            .objects
            .iter()
            .filter(|(_, o)| matches!(type_of(o), Some(b"Catalog" | b"Pages")))
            .map(|(id, _)| *id)
            .collect();
        for id in dropped {
            doc.objects.remove(&id);
        }
        pages.extend(own_pages);
        objects.extend(doc.objects);
    }

    let mut out = Document::with_version("1.5");
    out.objects = objects;
    out.max_id = next_id;
    let tree_id = out.new_object_id();
    for page in &pages {
        if let Some(Object::Dictionary(dict)) = out.objects.get_mut(page) {
            dict.set("Parent", Object::Reference(tree_id));
        }
    }
    let mut tree = Dictionary::new();
    tree.set("Type", Object::Name(b"Pages".to_vec()));
    tree.set(
        "Kids",
        Object::Array(pages.iter().map(|id| Object::Reference(*id)).collect()),
    );
    tree.set("Count", Object::Integer(pages.len() as i64));
    out.objects.insert(tree_id, Object::Dictionary(tree));
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(tree_id));
    let catalog_id = out.add_object(catalog);
    out.trailer.set("Root", Object::Reference(catalog_id));
    out.prune_objects();
    out.compress();
    let mut bytes = Vec::new();
    out.save_to(&mut bytes)
        .map_err(|e| DocumentError::Write(e.to_string()))?;
    Ok((bytes, pages.len()))
}

/// A simple A4 PDF with one line of (ASCII) text per page, its font and
/// media box inherited from the page tree as many generators do it. For
/// tests, and for sample documents.
pub fn text_pdf(pages: &[&str]) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let tree_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let kids: Vec<Object> = pages
        .iter()
        .map(|text| {
            let content = Content {
                operations: vec![
                    Operation::new("BT", vec![]),
                    Operation::new("Tf", vec!["F1".into(), 12.into()]),
                    Operation::new("Td", vec![72.into(), 720.into()]),
                    Operation::new("Tj", vec![Object::string_literal(*text)]),
                    Operation::new("ET", vec![]),
                ],
            };
            let bytes = content.encode().unwrap_or_default();
            let stream = doc.add_object(Stream::new(dictionary! {}, bytes));
            doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => tree_id, "Contents" => stream,
            })
            .into()
        })
        .collect();
    let count = kids.len() as i64;
    doc.objects.insert(
        tree_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => tree_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    let _ = doc.save_to(&mut bytes);
    bytes
}

fn type_of(object: &Object) -> Option<&[u8]> {
    match object {
        Object::Dictionary(d) => d.get(b"Type").ok()?.as_name().ok(),
        _ => None,
    }
}

/// Copies attributes the page inherits from its ancestors onto the page.
fn inherit_attributes(doc: &mut Document, page: ObjectId) {
    let mut found: Vec<(Vec<u8>, Object)> = Vec::new();
    let mut parent = parent_of(doc, page);
    let mut depth = 0;
    while let Some(node) = parent.filter(|_| depth < 32) {
        depth += 1;
        let Ok(Object::Dictionary(dict)) = doc.get_object(node) else {
            break;
        };
        for key in INHERITED {
            if !found.iter().any(|(k, _)| k.as_slice() == *key) {
                if let Ok(value) = dict.get(key) {
                    found.push((key.to_vec(), value.clone()));
                }
            }
        }
        parent = parent_of(doc, node);
    }
    if let Ok(Object::Dictionary(dict)) = doc.get_object_mut(page) {
        for (key, value) in found {
            if !dict.has(&key) {
                dict.set(key, value);
            }
        }
    }
}

fn parent_of(doc: &Document, node: ObjectId) -> Option<ObjectId> {
    match doc.get_object(node) {
        Ok(Object::Dictionary(dict)) => dict.get(b"Parent").ok()?.as_reference().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str, bytes: Vec<u8>) -> NamedPdf {
        NamedPdf {
            name: name.into(),
            bytes,
        }
    }

    #[test]
    fn every_page_of_every_input_is_kept_in_order() {
        let (bytes, count) = merge(&[
            named(
                "Statusattest januar",
                text_pdf(&["Januar side 1", "Januar side 2"]),
            ),
            named("Statusattest marts", text_pdf(&["Marts side 1"])),
            named(
                "Lægeattest",
                text_pdf(&["Attest side 1", "Attest side 2", "Attest side 3"]),
            ),
        ])
        .expect("merged");
        assert_eq!(count, 6);
        let merged = Document::load_mem(&bytes).expect("the merged PDF opens");
        assert_eq!(merged.get_pages().len(), 6);
        let texts: Vec<String> = (1..=6)
            .map(|n| merged.extract_text(&[n]).expect("text").trim().to_string())
            .collect();
        assert_eq!(
            texts,
            [
                "Januar side 1",
                "Januar side 2",
                "Marts side 1",
                "Attest side 1",
                "Attest side 2",
                "Attest side 3"
            ]
        );
    }

    #[test]
    fn a_download_that_is_not_a_pdf_is_named() {
        let error = merge(&[
            named("Statusattest januar", text_pdf(&["Januar"])),
            named("Statusattest marts", b"<html>Log ind</html>".to_vec()),
        ])
        .expect_err("not a PDF");
        assert!(
            error
                .to_string()
                .starts_with("«Statusattest marts» er ikke en PDF, der kan læses"),
            "{error}"
        );
        assert_eq!(merge(&[]), Err(DocumentError::Nothing));
    }
}
