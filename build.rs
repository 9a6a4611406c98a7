//! Embeds the example inventory (`inventory/`) and the minimal one
//! (`skeleton/`) into the binary for `cutover init`, listing their files in
//! byte order of relative path.

use std::path::Path;

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if path
            .extension()
            .is_some_and(|ext| ext == "toml" || ext == "md")
        {
            let rel = path.strip_prefix(root).expect("inside root");
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// `pub const NAME: &[(&str, &str)]` with every file below `root`.
fn embed(code: &mut String, name: &str, doc: &str, root: &Path) {
    let mut files = Vec::new();
    collect(root, root, &mut files);
    files.sort();
    code.push_str(&format!(
        "/// {doc}: (relative path, contents).\npub const {name}: &[(&str, &str)] = &[\n"
    ));
    for file in &files {
        code.push_str(&format!(
            "    ({file:?}, include_str!({:?})),\n",
            root.join(file).to_string_lossy()
        ));
    }
    code.push_str("];\n");
}

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it");
    let manifest = Path::new(&manifest);
    println!("cargo:rerun-if-changed=inventory");
    println!("cargo:rerun-if-changed=skeleton");
    let mut code = String::new();
    embed(
        &mut code,
        "EXAMPLE",
        "The example inventory",
        &manifest.join("inventory"),
    );
    embed(
        &mut code,
        "MINIMAL",
        "The minimal inventory",
        &manifest.join("skeleton"),
    );
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets it")).join("example.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
