//! `Leptos.toml` is the server's runtime Leptos configuration; it must agree with the build
//! settings cargo-leptos reads from `Cargo.toml`.

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
