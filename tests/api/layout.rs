//! The layout holds: `Leptos.toml` (the server's runtime Leptos configuration) agrees with the
//! build settings cargo-leptos reads from `Cargo.toml`; the shared error type stays below the
//! doors; the service's modules import each other without a cycle (docs/architecture.md).

use std::path::Path;

fn table(path: &str) -> toml::Table {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    text.parse().unwrap()
}

#[test]
fn leptos_toml_and_cargo_toml_agree_on_the_shared_keys() {
    let runtime = table("Leptos.toml")["package"]["metadata"]["leptos"]
        .as_table()
        .unwrap()
        .clone();
    let build = table("Cargo.toml")["workspace"]["metadata"]["leptos"][0]
        .as_table()
        .unwrap()
        .clone();
    assert_eq!(runtime["output-name"], build["name"]);
    let shared: Vec<&String> = runtime.keys().filter(|k| build.contains_key(*k)).collect();
    for key in [
        "site-root",
        "site-pkg-dir",
        "site-addr",
        "reload-port",
        "env",
    ] {
        assert!(shared.iter().any(|k| *k == key), "{key} is in both files");
    }
    for key in shared {
        assert_eq!(
            runtime[key], build[key],
            "{key} differs between Leptos.toml and Cargo.toml"
        );
    }
}

#[test]
fn leptos_toml_is_what_the_server_reads() {
    let options = leptos::config::get_configuration(Some(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/Leptos.toml"
    )))
    .unwrap()
    .leptos_options;
    assert_eq!(&*options.output_name, "gatehouse");
    assert_eq!(&*options.site_root, "target/site");
    assert_eq!(options.site_addr.to_string(), "127.0.0.1:3000");
}

fn source(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn the_shared_error_type_knows_nothing_of_the_doors_or_the_server() {
    let error = source("app/src/error.rs");
    for below in ["rpc::", "backend::", "door::", "set_cookie"] {
        assert!(!error.contains(below), "app/src/error.rs reaches {below}");
    }
}

#[test]
fn the_service_modules_import_each_other_without_a_cycle() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("app/src/backend/service");
    let mut imports: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let module = path.file_stem().unwrap().to_string_lossy().into_owned();
        if module == "mod" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let used = text
            .lines()
            .filter_map(|line| line.trim().strip_prefix("use super::"))
            .filter_map(|rest| {
                rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                    .next()
            })
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect();
        imports.insert(module, used);
    }
    assert!(imports.len() >= 8, "{imports:?}");
    // Depth-first: a module met again on its own path is a cycle.
    fn visit(
        module: &str,
        imports: &std::collections::BTreeMap<String, Vec<String>>,
        path: &mut Vec<String>,
    ) {
        assert!(
            !path.iter().any(|m| m == module),
            "a cycle: {} -> {module}",
            path.join(" -> ")
        );
        path.push(module.to_owned());
        for next in imports.get(module).into_iter().flatten() {
            visit(next, imports, path);
        }
        path.pop();
    }
    for module in imports.keys() {
        visit(module, &imports, &mut Vec::new());
    }
}
