# A small project whose tests `mesh test` runs (e2e test `mesh_test_runs_test_files`).
from Shapes.Area import square

fn main() do
  println("area: #{square(3)}")
end
