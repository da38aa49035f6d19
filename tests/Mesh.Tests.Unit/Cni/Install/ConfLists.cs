namespace Mesh.Tests.Unit.Cni.Install;

/// <summary>CNI configurations as network plugins write them (containernetworking-plugins' format, spec 0.2.0-1.0.0).</summary>
internal static class ConfLists
{
    /// <summary>kind's network plugin, kindnet: /etc/cni/net.d/10-kindnet.conflist (ptp + host-local, portmap).</summary>
    public const string Kindnet = """
        {
        	"cniVersion": "0.3.1",
        	"name": "kindnet",
        	"plugins": [
        	{
        		"type": "ptp",
        		"ipMasq": false,
        		"ipam": {
        			"type": "host-local",
        			"dataDir": "/run/cni-ipam-state",
        			"routes": [ { "dst": "0.0.0.0/0" } ],
        			"ranges": [ [ { "subnet": "10.244.0.0/24" } ] ]
        		},
        		"mtu": 1500
        	},
        	{
        		"type": "portmap",
        		"capabilities": { "portMappings": true }
        	}
        	]
        }
        """;

    /// <summary>containerd's example: /etc/cni/net.d/10-containerd-net.conflist (bridge + host-local dual stack, portmap).</summary>
    public const string Containerd = """
        {
          "cniVersion": "1.0.0",
          "name": "containerd-net",
          "plugins": [
            {
              "type": "bridge",
              "bridge": "cni0",
              "isGateway": true,
              "ipMasq": true,
              "promiscMode": true,
              "ipam": {
                "type": "host-local",
                "ranges": [ [{ "subnet": "10.88.0.0/16" }], [{ "subnet": "2001:4860:4860::/64" }] ],
                "routes": [ { "dst": "0.0.0.0/0" }, { "dst": "::/0" } ]
              }
            },
            { "type": "portmap", "capabilities": { "portMappings": true } }
          ]
        }
        """;

    /// <summary>The plugins README's single-plugin file: /etc/cni/net.d/10-mynet.conf (bridge, spec 0.2.0).</summary>
    public const string MynetConf = """
        {
        	"cniVersion": "0.2.0",
        	"name": "mynet",
        	"type": "bridge",
        	"bridge": "cni0",
        	"isGateway": true,
        	"ipMasq": true,
        	"ipam": {
        		"type": "host-local",
        		"subnet": "10.22.0.0/16",
        		"routes": [ { "dst": "0.0.0.0/0" } ]
        	}
        }
        """;

    /// <summary>/etc/cni/net.d/99-loopback.conf.</summary>
    public const string LoopbackConf = """{ "cniVersion": "0.2.0", "name": "lo", "type": "loopback" }""";
}
