//! Text made safe to put in HTML, between tags or in a quoted attribute: the sessions list (a
//! user agent comes from anyone) and the HTML body of every mail (a name is typed by anyone).

pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_quotes_are_escaped_and_the_rest_is_kept() {
        assert_eq!(
            escape(r#"<img src=x onerror="alert('1')"> & Zoë"#),
            "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; Zoë"
        );
    }
}
