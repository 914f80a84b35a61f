// The one translation unit that compiles Asio, Asio SSL and Beast (the build defines
// BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION globally), so every other
// file that includes Asio headers only sees declarations and links against these definitions.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
