fn main() {
    let mut m = std::collections::BTreeMap::new();
    for i in 0..2000i64 {
        m.insert(i, i * 3);
    }
    let total: i64 = m.values().sum();
    println!("{} {}", m.len(), total);
}
