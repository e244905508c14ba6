# Oracle: RubyGems' Gem::Version (Debian packages `ruby`, `ruby-rubygems`).
# Reads "a<TAB>b" lines on stdin, prints -1/0/1 per line, or ERR when either side is
# rejected (ArgumentError: malformed version).
$stdout.sync = false
$stdin.each_line do |line|
  line = line.chomp("\n")
  a, b = line.split("\t", 2)
  begin
    puts(Gem::Version.new(a) <=> Gem::Version.new(b))
  rescue ArgumentError
    puts 'ERR'
  end
end
