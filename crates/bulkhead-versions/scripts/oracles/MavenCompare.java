// Oracle: Maven's ComparableVersion (Debian package `maven`, jar
// /usr/share/maven/lib/maven-artifact-3.x.jar). Run as a single-file program:
//   java -cp <that jar> MavenCompare.java < pairs
// Reads "a<TAB>b" lines, prints the signum of compareTo per line.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class MavenCompare {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            int tab = line.indexOf('\t');
            String a = line.substring(0, tab);
            String b = line.substring(tab + 1);
            int c = new ComparableVersion(a).compareTo(new ComparableVersion(b));
            out.println(Integer.signum(c));
        }
        out.flush();
    }
}
