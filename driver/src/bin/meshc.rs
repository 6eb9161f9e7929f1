fn main() {
    std::process::exit(mesh::cli::main());
}
