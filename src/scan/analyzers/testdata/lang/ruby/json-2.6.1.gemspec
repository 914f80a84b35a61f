# -*- encoding: utf-8 -*-
# stub: json 2.6.1 ruby lib
# stub: ext/json/extconf.rb

Gem::Specification.new do |spec|
  spec.name = %q{json}
  spec.version = Gem::Version.new("2.6.1")
  spec.summary = "JSON Implementation for Ruby"
  spec.license = 'Ruby'
  spec.licenses = ["Ruby".freeze, "BSD-2-Clause".freeze]
end
