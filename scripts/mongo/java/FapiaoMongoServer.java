import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.List;

/**
 * mongo-java-server's in-memory backend on 127.0.0.1:<port>, for tests.
 *
 * It reports a MongoDB 6.0 wire version: the library's own newest (5.0 as wire 8 in 1.47.0) is
 * below what the Node driver 7 accepts (9), although every command the app sends is supported;
 * server/test/db-guarantees.test.ts checks the guarantees the app relies on against it.
 */
public final class FapiaoMongoServer {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    MemoryBackend backend = new MemoryBackend();
    backend.version(new MongoVersion() {
      @Override public List<Integer> getVersionArray() { return List.of(6, 0, 0); }
      @Override public String toVersionString() { return "6.0.0"; }
      @Override public int getWireVersion() { return 17; }
    });
    MongoServer server = new MongoServer(backend);
    server.bind("127.0.0.1", port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    System.out.println("mongo-java-server listening on 127.0.0.1:" + port);
    Thread.currentThread().join();
  }
}
