# Node.start_from_env (spec 05 §3) and DNS discovery (§4): prints how the node came up;
# a cluster node then waits until it sees PEERS peers and prints them.

fn describe(status :: BootstrapStatus) -> String do
  "mode=#{status.mode} node=#{status.node_name} port=#{status.cluster_port} seed=#{status.discovery_seed}"
end

fn wait_peers(want :: Int, tries :: Int) do
  let peers = Node.list()
  if List.length(peers) >= want or tries == 0 do
    println("[app] peers=#{List.length(peers)} #{String.join(List.sort(peers, fn(a, b) -> if a < b do -1 else 1 end end), " ")}")
  else
    Timer.sleep(50)
    wait_peers(want, tries - 1)
  end
end

fn main() do
  case Node.start_from_env() do
    Ok(status) -> do
      println("[app] #{describe(status)}")
      if status.mode == "cluster" do
        wait_peers(Env.get_int("PEERS", 0), 200)
        Timer.sleep(Env.get_int("STAY_MS", 0))
      else
        ()
      end
    end
    Err(reason) -> println("[app] bootstrap failed: #{reason}")
  end
end
